// SPDX-License-Identifier: MIT
/*
 * dnsstorm: a DNS query storm for bench/dns-cost.sh. One thread, one UDP socket, one query in flight:
 * send an A query for NAME to SERVER:53, wait for the answer (1 s timeout), repeat, for --seconds or --max
 * answers. Prints "ops=<answers> timeouts=<n>". Traffic goes only to the server given (the runner's
 * namespace test host). C for the same reason as nsload: no JIT or GC noise in the workload.
 *
 *   dnsstorm SERVER NAME SECONDS MAX
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: dnsstorm SERVER NAME SECONDS MAX\n");
		return 2;
	}
	struct sockaddr_in server = { .sin_family = AF_INET, .sin_port = htons(53) };
	if (inet_pton(AF_INET, argv[1], &server.sin_addr) != 1) {
		fprintf(stderr, "dnsstorm: bad server address %s\n", argv[1]);
		return 2;
	}
	unsigned char query[300] = { 0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
	size_t len = 12;
	for (char *label = strtok(argv[2], "."); label; label = strtok(NULL, ".")) {
		size_t n = strlen(label);
		if (n > 63 || len + n + 6 > sizeof(query)) return 2;
		query[len++] = (unsigned char)n;
		memcpy(query + len, label, n);
		len += n;
	}
	query[len++] = 0;
	query[len++] = 0, query[len++] = 1; /* A */
	query[len++] = 0, query[len++] = 1; /* IN */

	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct timeval timeout = { .tv_sec = 1 };
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	if (s < 0 || connect(s, (struct sockaddr *)&server, sizeof(server))) {
		perror("dnsstorm: socket");
		return 1;
	}
	double end = now() + atof(argv[3]);
	long max = atol(argv[4]), ops = 0, timeouts = 0;
	unsigned char answer[1500];
	for (uint16_t id = 1; ops < max && now() < end; id++) {
		query[0] = id >> 8, query[1] = id & 0xff;
		if (send(s, query, len, 0) < 0) {
			perror("dnsstorm: send");
			return 1;
		}
		ssize_t n = recv(s, answer, sizeof(answer), 0);
		if (n >= 12 && answer[0] == query[0] && answer[1] == query[1])
			ops++;
		else
			timeouts++;
	}
	printf("ops=%ld timeouts=%ld\n", ops, timeouts);
	return 0;
}
