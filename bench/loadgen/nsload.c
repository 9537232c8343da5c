// SPDX-License-Identifier: MIT
/*
 * nsload: the load generators and servers for `make bench`.
 *
 * C, not C#: the workload must not carry its own JIT, GC or thread-pool noise into a measurement
 * whose differences are a few percent. Every client mode is bounded twice, by --seconds and by
 * --max, and prints one line "key=value ..." that the runner parses. Traffic goes only to the
 * address given, which the runner sets to its namespace test host (198.51.100.0/24) or loopback.
 *
 *   nsload serve   --host A --port P --ports K [--udp-port U] --seconds S
 *   nsload connect --host A --port P --ports K --threads T --seconds S --max N [--times FILE]
 *   nsload udp     --host A --port U --ports K --size B --seconds S --max N [--connected 1]
 *   nsload bulk    --host A --port P --streams N --seconds S [--max-bytes B]
 *   nsload spawn   --host A --port P --ports K --seconds S --max N [--rate R]   (R processes/s at most; 0: as fast as it can)
 *   nsload once    A P                       (one connect + close; what spawn runs)
 *   nsload hold    --host A --port P --ports K --count N --seconds S
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PORTS 4096
#define MAX_THREADS 16

struct options {
	const char *host;
	int port, ports, udp_port, threads, streams, size, connected;
	double seconds, rate;
	long long max, max_bytes, count;
	const char *times;
};

static volatile sig_atomic_t stopping;
static void on_signal(int sig) { (void)sig; stopping = 1; }

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long long wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "nsload: %s: %s\n", what, strerror(errno));
	exit(2);
}

static struct sockaddr_in address_of(const char *host, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "nsload: not an IPv4 address: %s\n", host);
		exit(2);
	}
	return sa;
}

static void parse(int argc, char **argv, struct options *o)
{
	*o = (struct options){ .host = "127.0.0.1", .port = 20000, .ports = 1, .threads = 1, .streams = 1,
			       .size = 64, .seconds = 3, .max = 1000000, .max_bytes = 1LL << 40, .count = 1000 };
	for (int i = 2; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (!strcmp(k, "--host")) o->host = v;
		else if (!strcmp(k, "--port")) o->port = atoi(v);
		else if (!strcmp(k, "--ports")) o->ports = atoi(v);
		else if (!strcmp(k, "--udp-port")) o->udp_port = atoi(v);
		else if (!strcmp(k, "--threads")) o->threads = atoi(v);
		else if (!strcmp(k, "--streams")) o->streams = atoi(v);
		else if (!strcmp(k, "--size")) o->size = atoi(v);
		else if (!strcmp(k, "--seconds")) o->seconds = atof(v);
		else if (!strcmp(k, "--max")) o->max = atoll(v);
		else if (!strcmp(k, "--max-bytes")) o->max_bytes = atoll(v);
		else if (!strcmp(k, "--count")) o->count = atoll(v);
		else if (!strcmp(k, "--times")) o->times = v;
		else if (!strcmp(k, "--connected")) o->connected = atoi(v);
		else if (!strcmp(k, "--rate")) o->rate = atof(v);
		else { fprintf(stderr, "nsload: unknown option %s\n", k); exit(2); }
	}
	if (o->ports < 1 || o->ports > MAX_PORTS || o->threads < 1 || o->threads > MAX_THREADS ||
	    o->streams < 1 || o->streams > MAX_THREADS || o->size < 1 || o->size > 65000 ||
	    !(o->seconds > 0 && o->seconds <= 3600) || o->max < 1 || o->rate < 0) {
		fprintf(stderr, "nsload: option out of range\n");
		exit(2);
	}
}

static void raise_file_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* ---- serve: TCP listeners on K consecutive ports (accept, read to EOF, close) and a UDP sink. ---- */

static int serve(const struct options *o)
{
	raise_file_limit();
	int ep = epoll_create1(0);
	if (ep < 0) die("epoll_create1");
	int listeners = 0;
	for (int i = 0; i < o->ports; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
		struct sockaddr_in sa = address_of(o->host, o->port + i);
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 4096)) die("bind/listen");
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)s | (1ULL << 32) };
		epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
		listeners++;
	}
	int udp = -1;
	if (o->udp_port) {
		/* One UDP socket per port the udp client rotates over, so every datagram is delivered. */
		for (int i = 0; i < o->ports && i < 64; i++) {
			udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
			struct sockaddr_in sa = address_of(o->host, o->udp_port + i);
			if (bind(udp, (struct sockaddr *)&sa, sizeof(sa))) die("bind udp");
			struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)udp | (2ULL << 32) };
			epoll_ctl(ep, EPOLL_CTL_ADD, udp, &ev);
		}
	}
	printf("ready listeners=%d\n", listeners);
	fflush(stdout);
	static char buf[256 * 1024];
	double end = mono_now() + o->seconds;
	while (!stopping && mono_now() < end) {
		struct epoll_event events[256];
		int n = epoll_wait(ep, events, 256, 200);
		for (int i = 0; i < n; i++) {
			int fd = (int)(uint32_t)events[i].data.u64, kind = (int)(events[i].data.u64 >> 32);
			if (kind == 1) {
				for (int c = 0; c < 512; c++) {
					int a = accept4(fd, NULL, NULL, SOCK_NONBLOCK);
					if (a < 0) break;
					struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u64 = (uint64_t)a };
					epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev);
				}
			} else if (kind == 2) {
				for (int c = 0; c < 4096 && recv(fd, buf, sizeof(buf), 0) >= 0; c++) {
				}
			} else {
				ssize_t r;
				int reads = 0;
				while ((r = recv(fd, buf, sizeof(buf), 0)) > 0 && ++reads < 64) {
				}
				if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) close(fd);
			}
		}
	}
	return 0;
}

/* ---- connect: connect + close as fast as possible, T threads, rotating over K destination ports. ---- */

struct connect_worker {
	const struct options *o;
	int index;
	double end;
	atomic_llong *budget;
	long long done, failed;
	long long *first_ns; /* per port: wall-clock ns of the first connect() to it, for the latency figure */
};

static void *connect_thread(void *arg)
{
	struct connect_worker *w = arg;
	const struct options *o = w->o;
	struct linger hard = { .l_onoff = 1, .l_linger = 0 };
	/* Each thread owns the ports i ≡ index (mod threads), so a port's first connect has one writer. */
	int slot = w->index;
	for (long long i = 0;; i++) {
		if ((i & 63) == 0 && (stopping || mono_now() >= w->end)) break;
		if (atomic_fetch_sub(w->budget, 1) <= 0) break;
		int port_index = slot;
		slot += o->threads;
		if (slot >= o->ports) slot = w->index;
		struct sockaddr_in sa = address_of(o->host, o->port + port_index);
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0) die("socket");
		/* RST on close: no TIME_WAIT pile-up across a million connects, same for every round. */
		setsockopt(s, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
		long long t = wall_ns();
		if (w->first_ns && port_index < o->ports && w->first_ns[port_index] == 0) w->first_ns[port_index] = t;
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0) w->done++;
		else w->failed++;
		close(s);
	}
	return NULL;
}

static int connect_storm(const struct options *o)
{
	raise_file_limit();
	atomic_llong budget = o->max;
	long long *first_ns = o->times ? calloc((size_t)o->ports, sizeof(long long)) : NULL;
	struct connect_worker workers[MAX_THREADS];
	pthread_t threads[MAX_THREADS];
	double start = mono_now();
	for (int t = 0; t < o->threads; t++) {
		workers[t] = (struct connect_worker){ .o = o, .index = t, .end = start + o->seconds, .budget = &budget,
						      .first_ns = first_ns };
		pthread_create(&threads[t], NULL, connect_thread, &workers[t]);
	}
	long long done = 0, failed = 0;
	for (int t = 0; t < o->threads; t++) {
		pthread_join(threads[t], NULL);
		done += workers[t].done;
		failed += workers[t].failed;
	}
	double elapsed = mono_now() - start;
	if (first_ns) {
		FILE *f = fopen(o->times, "w");
		if (!f) die(o->times);
		for (int p = 0; p < o->ports; p++)
			if (first_ns[p]) fprintf(f, "%d %lld\n", o->port + p, first_ns[p]);
		fclose(f);
	}
	printf("ops=%lld failed=%lld seconds=%.4f rate=%.1f\n", done + failed, failed, elapsed, (done + failed) / elapsed);
	return 0;
}

/* ---- udp: B-byte datagrams rotating over K destination ports: unconnected sendto() with the address (the
 * default), or with --connected 1 one socket connected to each port, sent on in turn with send(). ---- */

static int udp_storm(const struct options *o)
{
	int ports = o->ports > 64 ? 64 : o->ports;
	int socks[64];
	for (int p = 0; p < ports; p++) {
		socks[p] = o->connected || p == 0 ? socket(AF_INET, SOCK_DGRAM, 0) : socks[0];
		if (socks[p] < 0) die("socket");
		struct sockaddr_in sa = address_of(o->host, o->port + p);
		if (o->connected && connect(socks[p], (struct sockaddr *)&sa, sizeof(sa))) die("udp connect");
	}
	char payload[65000];
	memset(payload, 'u', sizeof(payload));
	long long sent = 0, failed = 0;
	double start = mono_now(), end = start + o->seconds;
	for (long long i = 0; i < o->max; i++) {
		if ((i & 255) == 0 && (stopping || mono_now() >= end)) break;
		int p = (int)(i % ports);
		ssize_t n;
		if (o->connected) {
			n = send(socks[p], payload, (size_t)o->size, 0);
		} else {
			struct sockaddr_in sa = address_of(o->host, o->port + p);
			n = sendto(socks[0], payload, (size_t)o->size, 0, (struct sockaddr *)&sa, sizeof(sa));
		}
		if (n == o->size) sent++;
		else failed++;
	}
	double elapsed = mono_now() - start;
	printf("ops=%lld failed=%lld seconds=%.4f rate=%.1f flows=%d\n", sent + failed, failed, elapsed, (sent + failed) / elapsed, ports);
	return 0;
}

/* ---- bulk: N streams, each one connection sending 64 KiB writes until time or its byte budget. ---- */

struct bulk_worker {
	const struct options *o;
	double end;
	long long bytes;
};

static void *bulk_thread(void *arg)
{
	struct bulk_worker *w = arg;
	static char chunk[64 * 1024];
	struct sockaddr_in sa = address_of(w->o->host, w->o->port);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa))) die("bulk connect");
	long long budget = w->o->max_bytes / w->o->streams;
	for (long long i = 0; w->bytes < budget; i++) {
		if ((i & 15) == 0 && (stopping || mono_now() >= w->end)) break;
		ssize_t n = send(s, chunk, sizeof(chunk), 0);
		if (n <= 0) break;
		w->bytes += n;
	}
	close(s);
	return NULL;
}

static int bulk(const struct options *o)
{
	struct bulk_worker workers[MAX_THREADS];
	pthread_t threads[MAX_THREADS];
	double start = mono_now();
	for (int t = 0; t < o->streams; t++) {
		workers[t] = (struct bulk_worker){ .o = o, .end = start + o->seconds };
		pthread_create(&threads[t], NULL, bulk_thread, &workers[t]);
	}
	long long bytes = 0;
	for (int t = 0; t < o->streams; t++) {
		pthread_join(threads[t], NULL);
		bytes += workers[t].bytes;
	}
	double elapsed = mono_now() - start;
	printf("ops=%d failed=0 seconds=%.4f rate=%.1f bytes=%lld\n", o->streams, elapsed, bytes / elapsed, bytes);
	return 0;
}

/* ---- spawn: many short-lived processes, each exec'ing `nsload once` to connect one time. ---- */

static int once(int argc, char **argv)
{
	if (argc < 4) return 2;
	struct sockaddr_in sa = address_of(argv[2], atoi(argv[3]));
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int ok = s >= 0 && connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(s);
	return ok ? 0 : 1;
}

static int spawn(const struct options *o, const char *self)
{
	long long runs = 0, failed = 0;
	char host[64], port[16];
	snprintf(host, sizeof(host), "%s", o->host);
	double start = mono_now(), end = start + o->seconds;
	/* Two children in flight, like a shell script fanning out; each one is reaped before the next. */
	pid_t inflight[2] = { 0, 0 };
	for (long long i = 0; i < o->max && !stopping && mono_now() < end; i++) {
		int slot = (int)(i & 1);
		if (inflight[slot] > 0) {
			int status;
			waitpid(inflight[slot], &status, 0);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed++;
			runs++;
		}
		/* Paced: the i-th child starts no earlier than i / rate s in, so each of K ports is reached every K / rate s
		 * (a beacon per port) whatever the machine's speed; a machine too slow for the rate runs as fast as it can. */
		while (o->rate > 0 && !stopping && mono_now() < start + i / o->rate) usleep(200);
		snprintf(port, sizeof(port), "%d", o->port + (int)(i % o->ports));
		pid_t pid = fork();
		if (pid < 0) die("fork");
		if (pid == 0) {
			execl(self, "nsload", "once", host, port, (char *)NULL);
			_exit(127);
		}
		inflight[slot] = pid;
	}
	for (int slot = 0; slot < 2; slot++) {
		if (inflight[slot] <= 0) continue;
		int status;
		waitpid(inflight[slot], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed++;
		runs++;
	}
	double elapsed = mono_now() - start;
	printf("ops=%lld failed=%lld seconds=%.4f rate=%.1f\n", runs, failed, elapsed, runs / elapsed);
	return 0;
}

/* ---- hold: open N connections and keep them until the time is up or a signal; for the --once bench. ---- */

static int hold(const struct options *o)
{
	raise_file_limit();
	int *fds = calloc((size_t)o->count, sizeof(int));
	double end = mono_now() + o->seconds;
	long long open = 0;
	for (; open < o->count && !stopping && mono_now() < end; open++) {
		struct sockaddr_in sa = address_of(o->host, o->port + (int)(open % o->ports));
		fds[open] = socket(AF_INET, SOCK_STREAM, 0);
		if (fds[open] < 0 || connect(fds[open], (struct sockaddr *)&sa, sizeof(sa))) die("hold connect");
	}
	printf("ready open=%lld\n", open);
	fflush(stdout);
	while (!stopping && mono_now() < end) usleep(50 * 1000);
	for (long long i = 0; i < open; i++) close(fds[i]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: nsload serve|connect|udp|bulk|spawn|once|hold [--option value ...]\n");
		return 2;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(argv[1], "once")) return once(argc, argv);
	struct options o;
	parse(argc, argv, &o);
	if (!strcmp(argv[1], "serve")) return serve(&o);
	if (!strcmp(argv[1], "connect")) return connect_storm(&o);
	if (!strcmp(argv[1], "udp")) return udp_storm(&o);
	if (!strcmp(argv[1], "bulk")) return bulk(&o);
	if (!strcmp(argv[1], "spawn")) {
		char self[4096];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n <= 0) die("readlink /proc/self/exe");
		self[n] = 0;
		return spawn(&o, self);
	}
	if (!strcmp(argv[1], "hold")) return hold(&o);
	fprintf(stderr, "nsload: unknown mode %s\n", argv[1]);
	return 2;
}
