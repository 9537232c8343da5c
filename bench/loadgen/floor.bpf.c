// SPDX-License-Identifier: (MIT OR GPL-2.0)
/* bench/run.sh's "floor" mode: a program on every hook net-sentinel attaches (its seven tracepoints, tp_btf, and the
 * cgroup recvmsg hooks), each doing nothing. Loaded by bench/loadgen/kernelonly like the real object, it measures what
 * merely running a program at those hooks costs the workload on this host: the floor under any monitor built on them. */
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} ns_events SEC(".maps"); /* kernelonly empties it; nothing writes to it */

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(floor_tcp_state) { return 0; }

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(floor_tcp_retransmit) { return 0; }

SEC("tp_btf/sock_send_length")
int BPF_PROG(floor_send_len) { return 0; }

SEC("tp_btf/sock_recv_length")
int BPF_PROG(floor_recv_len) { return 0; }

SEC("tp_btf/sched_process_fork")
int BPF_PROG(floor_fork) { return 0; }

SEC("tp_btf/sched_process_exec")
int BPF_PROG(floor_exec) { return 0; }

SEC("tp_btf/sched_process_exit")
int BPF_PROG(floor_exit) { return 0; }

SEC("cgroup/recvmsg4")
int ns_udp_recvmsg4(struct bpf_sock_addr *ctx) { return 1; }

SEC("cgroup/recvmsg6")
int ns_udp_recvmsg6(struct bpf_sock_addr *ctx) { return 1; }
