// kernelonly OBJECT: kernel programs with nothing behind them. Loads OBJECT, attaches what net-sentinel attaches with
// its preferred hooks (every tp_btf program, the cgroup recvmsg programs on the cgroup-v2 root), and empties the ring
// buffer every 10 ms, as the monitor does, with a callback that only counts records. bench/run.sh runs it with two
// objects (make bench-tools builds both):
//   out/bench/netsentinel.bpf.o  the monitor's own object ("kernel" mode): what the workload pays for the kernel
//                                programs alone, so a ratio short of its target splits into the kernel's share and
//                                the monitor's (user space);
//   out/bench/floor.bpf.o        a program doing nothing on each of the same hooks ("floor" mode): what any monitor
//                                on these hooks pays before it does anything.
// Needs root. Stops on SIGTERM or SIGINT and prints the records it emptied. KERNELONLY_SKIP="ns_recv_len ns_fork"
// leaves the programs it names unattached (which program a ratio's cost is in).
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stopping;

static void on_signal(int signo) { (void)signo; stopping = 1; }

static int count_record(void *ctx, void *data, size_t size)
{
	(void)data;
	(void)size;
	++*(long *)ctx;
	return 0;
}

// The cgroup-v2 root: /sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a hybrid one.
static int open_cgroup_root(void)
{
	FILE *mounts = fopen("/proc/mounts", "r");
	char dev[256], dir[512], type[64];
	int fd = -1;
	while (mounts && fd < 0 && fscanf(mounts, "%255s %511s %63s %*[^\n]", dev, dir, type) == 3)
		if (!strcmp(type, "cgroup2"))
			fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (mounts)
		fclose(mounts);
	return fd;
}

static int skipped(const char *name)
{
	const char *list = getenv("KERNELONLY_SKIP");
	size_t len = strlen(name);
	for (const char *at = list; at && (at = strstr(at, name)); at += len)
		if ((at == list || at[-1] == ' ') && (at[len] == ' ' || at[len] == '\0'))
			return 1;
	return 0;
}

// What the monitor attaches with tp_btf, its preferred variant: src/NetSentinel.Linux/Bpf/BpfHookVariant.cs holds the
// list (Tracepoints, CgroupPrograms). Every tp_btf program is taken by its section, so a new tracepoint hook is picked up
// here by itself; the cgroup programs by name, so a new one must be named here too.
static int attached_by_monitor(const struct bpf_program *prog)
{
	const char *section = bpf_program__section_name(prog), *name = bpf_program__name(prog);
	if (skipped(name))
		return 0;
	return !strncmp(section, "tp_btf/", 7) || !strcmp(name, "ns_udp_recvmsg4") || !strcmp(name, "ns_udp_recvmsg6");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: kernelonly OBJECT (out/bench/netsentinel.bpf.o)\n");
		return 2;
	}
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "kernelonly: cannot open %s\n", argv[1]);
		return 1;
	}
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) bpf_program__set_autoload(prog, attached_by_monitor(prog));
	if (bpf_object__load(obj)) {
		fprintf(stderr, "kernelonly: the kernel did not load %s\n", argv[1]);
		return 1;
	}
	int cgroup = open_cgroup_root();
	if (cgroup < 0) {
		fprintf(stderr, "kernelonly: no cgroup-v2 mount in /proc/mounts for the recvmsg programs\n");
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
	{
		if (!bpf_program__autoload(prog))
			continue;
		int on_cgroup = !strncmp(bpf_program__section_name(prog), "cgroup/", 7);
		if (!(on_cgroup ? bpf_program__attach_cgroup(prog, cgroup) : bpf_program__attach(prog))) {
			fprintf(stderr, "kernelonly: cannot attach %s\n", bpf_program__name(prog));
			return 1;
		}
	}
	long records = 0;
	struct bpf_map *events = bpf_object__find_map_by_name(obj, "ns_events");
	struct ring_buffer *ring = events ? ring_buffer__new(bpf_map__fd(events), count_record, &records, NULL) : NULL;
	if (!ring) {
		fprintf(stderr, "kernelonly: %s has no ring buffer named ns_events\n", argv[1]);
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	fprintf(stderr, "kernelonly: attached; watching outbound connections\n");
	while (!stopping) {
		usleep(10000); // the records ask for no wakeup: the monitor, too, empties the ring every 10 ms
		ring_buffer__consume(ring);
	}
	ring_buffer__consume(ring);
	fprintf(stderr, "kernelonly: stopped; %ld records emptied\n", records);
	ring_buffer__free(ring);
	bpf_object__close(obj);
	return 0;
}
