// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * net-sentinel kernel side: attributes every outbound TCP connection, UDP flow and byte to the
 * task that caused it, at the moment it happens.
 *
 * Only rare events cross the ring buffer (connect, close, new UDP flow, exec, exit); per-send
 * bytes are added to the socket/flow maps, which user space reads in batches once per interval.
 * Every program is named ns_* so `bpftool prog list` shows what is ours.
 *
 * Hook variants. Every tracepoint hook is built twice from one body:
 *   - SEC("tp_btf/<tracepoint>") ns_<hook>: the verifier knows the arguments as BTF-typed kernel
 *     pointers, so fields are read with plain loads (no helper call per field). Preferred.
 *   - SEC("raw_tp/<tracepoint>") ns_<hook>_raw: the arguments are plain numbers, so every field is
 *     read with bpf_probe_read_kernel. The fallback for kernels that cannot load BTF-typed programs.
 * Neither needs trampolines (only fentry/fexit do). The body is a static __always_inline function
 * taking `direct` (NS_BTF or NS_RAW, a constant at every call site) and reading fields through
 * NS_READ, so each program contains only its own kind of read. The loader (KernelTracer, with the
 * list in BpfHookVariant.cs) disables autoload of the variant it does not choose.
 * To add a hook: write its body once, add the two wrappers, add its name to BpfHookVariant.Tracepoints.
 */
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "netsentinel.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* The ABI this object was built against, in a section of its own: the loader reads it before loading
 * and refuses an object whose records the C# mirror would misread (every record also carries it). */
const volatile __u32 ns_abi_version SEC(".rodata.ns_abi") = NS_ABI_VERSION;

#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_CLOSE 7
#define TCP_LISTEN 10
#define MSG_PEEK 2

/* The `direct` argument of every hook body: how its program may read kernel memory. */
#define NS_BTF 1 /* tp_btf: BTF-typed pointers, plain loads */
#define NS_RAW 0 /* raw_tp: untyped pointers, bpf_probe_read_kernel */

/* Reads src->field (field may be a path: a.b) the way the program's variant allows. */
#define NS_READ(direct, src, field) ((direct) ? (src)->field : BPF_CORE_READ(src, field))
/* Copies the array src->field into *dst the same way. */
#define NS_READ_ARRAY(direct, dst, src, field)                                              \
	do {                                                                                \
		if (direct)                                                                 \
			__builtin_memcpy((dst), &(src)->field, sizeof(*(dst)));             \
		else                                                                        \
			bpf_core_read((dst), sizeof(*(dst)), &(src)->field);                \
	} while (0)

/* Every record is submitted with BPF_RB_NO_WAKEUP: user space drains every 10 ms whether woken or not (one wakeup
 * per record would cost the monitored workload a quarter of its connect rate), and 4 MiB fill within one drain
 * period only above 400 MB/s of records (two million connects a second). Until ABI 12 a record forced a wakeup once
 * more than 1 MiB was unread: that asked the ring (a helper call per record), and while user space was behind, every
 * record queued an irq_work wakeup, which cost the traced task ~5 us a record on the development machine (a connect
 * ~10 us instead of ~1 us) and did not make a consumer that was busy, not sleeping, drain any sooner. */
#define NS_SUBMIT_FLAGS BPF_RB_NO_WAKEUP

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024); /* ~30k records; its pages count in our RSS */
} ns_events SEC(".maps");

/* Outbound TCP sockets seen at SYN_SENT, keyed by the kernel sock pointer. Not LRU: an entry lives
 * exactly from SYN_SENT to CLOSE, and evicting a live one would silently lose its close. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct ns_sock_state);
} ns_socks SEC(".maps");

/* UDP flows have no close; LRU bounds them. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ns_udp_key);
	__type(value, struct ns_udp_flow);
} ns_udp_flows SEC(".maps");

/* Peers that sent to a process before it sent to them, keyed like the flows: the process's datagrams to
 * them are replies (a DNS, NTP or syslog server answering), not flows this host starts. The value is when
 * the peer last sent; an entry older than NS_UDP_PEER_TTL_NS no longer counts. LRU: a server with more
 * recent clients than this forgets the oldest, whose next reply then counts as a new flow. */
#define NS_UDP_PEER_TTL_NS (300ULL * 1000 * 1000 * 1000)
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ns_udp_key);
	__type(value, __u64);
} ns_udp_peers SEC(".maps");

struct ns_udp_dest {
	__u64 pid_tgid; /* the thread whose send this is; 0 = empty */
	__u64 set_tick; /* jiffies when it was set */
	__u16 family;
	__u16 dport;
	__u8 daddr[16];
};

/* raw_tp variant: destination of the sendto()/sendmsg() in progress on this CPU, set by the cgroup sendmsg hook
 * and consumed by sock_send_length right after, in the same syscall (tp_btf reads it from the call: dest_from_call). A per-CPU slot, not a hash keyed by
 * thread: a hash update plus delete on every datagram cost a UDP sendto storm ~20 % of its rate.
 * A slot is only believed for the same thread and within NS_UDP_DEST_MAX_AGE_TICKS ticks (jiffies: a plain load; the
 * clock cost each datagram ~35 ns twice): 8-12 ms at HZ 250, 2-3 ms at HZ 1000. If the thread migrated or was
 * preempted by another sender in between, that datagram's bytes are not counted. */
#define NS_UDP_DEST_MAX_AGE_TICKS 2
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ns_udp_dest);
} ns_udp_dests SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NS_LOST_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} ns_lost SEC(".maps");

__u64 ns_next_conn_id = 0;

static __always_inline void count_lost(__u32 slot)
{
	__u64 *counter = bpf_map_lookup_elem(&ns_lost, &slot);
	if (counter)
		__sync_fetch_and_add(counter, 1);
}

static __always_inline void fill_header(struct ns_header *header, __u32 kind, __u64 now)
{
	header->timestamp_ns = now;
	header->kind = kind;
	header->abi_version = NS_ABI_VERSION;
}

static __always_inline void fill_task(struct ns_task *task, int direct)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	task->cgroup_id = bpf_get_current_cgroup_id();
	task->tgid = pid_tgid >> 32;
	task->pid = (__u32)pid_tgid;
	task->uid = (__u32)bpf_get_current_uid_gid();
	/* The process name is the group leader's: worker threads often rename themselves. */
	if (direct) {
		struct task_struct *current = bpf_get_current_task_btf();
		struct task_struct *leader = current->group_leader;
		task->ppid = current->real_parent->tgid;
		__builtin_memcpy(task->comm, leader->comm, sizeof(task->comm));
	} else {
		struct task_struct *current = (struct task_struct *)bpf_get_current_task();
		task->ppid = BPF_CORE_READ(current, real_parent, tgid);
		BPF_CORE_READ_INTO(&task->comm, current, group_leader, comm);
	}
}

static __always_inline void read_addresses(const struct sock *sk, struct ns_endpoints *ends, int direct)
{
	ends->family = NS_READ(direct, sk, __sk_common.skc_family);
	ends->sport = bpf_htons(NS_READ(direct, sk, __sk_common.skc_num));
	ends->dport = NS_READ(direct, sk, __sk_common.skc_dport);
	if (ends->family == NS_AF_INET6) {
		NS_READ_ARRAY(direct, &ends->saddr, sk, __sk_common.skc_v6_rcv_saddr);
		NS_READ_ARRAY(direct, &ends->daddr, sk, __sk_common.skc_v6_daddr);
	} else {
		NS_READ_ARRAY(direct, (__u32 *)ends->saddr, sk, __sk_common.skc_rcv_saddr);
		NS_READ_ARRAY(direct, (__u32 *)ends->daddr, sk, __sk_common.skc_daddr);
	}
}

/* `route`: a new UDP flow's socket's routing inputs (struct ns_sock_route); null for the other records.
 * Returns whether the record was written (else it was counted as lost). */
static __always_inline int submit_open(__u32 kind, __u64 now, __u64 conn_id, const struct ns_task *task,
					const struct ns_endpoints *ends, const struct ns_sock_route *route)
{
	struct ns_open_event *event = bpf_ringbuf_reserve(&ns_events, sizeof(*event), 0);
	if (!event) {
		count_lost(NS_LOST_RINGBUF);
		return 0;
	}
	fill_header(&event->header, kind, now);
	event->conn_id = conn_id;
	event->task = *task;
	event->ends = *ends;
	if (route)
		event->route = *route;
	else
		__builtin_memset(&event->route, 0, sizeof(event->route));
	bpf_ringbuf_submit(event, NS_SUBMIT_FLAGS);
	return 1;
}

static __always_inline void on_syn_sent(const struct sock *sk, __u64 key, int direct)
{
	if (NS_READ(direct, sk, sk_protocol) != NS_PROTO_TCP)
		return; /* MPTCP and others also pass through inet_sock_set_state */

	struct ns_sock_state state = {};
	__u64 now = bpf_ktime_get_ns();
	state.conn_id = __sync_fetch_and_add(&ns_next_conn_id, 1) + 1;
	state.start_ns = now;
	fill_task(&state.task, direct);
	read_addresses(sk, &state.ends, direct);
	state.ends.protocol = NS_PROTO_TCP;
	/* No record yet: the kernel picks the local port just after this transition, so the connect record waits
	 * for it (see open_when_port_known). */
	if (bpf_map_update_elem(&ns_socks, &key, &state, BPF_ANY))
		count_lost(NS_LOST_MAP_FULL);
}

/* The connect record of a socket tracked since SYN_SENT, written once its local port exists: at ESTABLISHED, or at
 * the first SYN retransmission of a connect still waiting (a filtered port: one RTO, ~1 s, after the SYN). A
 * connect refused before either has no connect record; its close record carries the same identity and user space
 * opens it from that. The record is stamped with the SYN_SENT time and carries the task captured then: these
 * transitions may run in softirq, where `current` is whoever was interrupted. Both run under the socket lock, so
 * the flag test cannot race. NS_SOCK_OPENED is set only once the record is in the ring: the close of a socket
 * without it is the full record (identity included), of one with it the short one. */
static __always_inline void open_when_port_known(const struct sock *sk, struct ns_sock_state *state, int direct)
{
	state->ends.sport = bpf_htons(NS_READ(direct, sk, __sk_common.skc_num));
	if (state->flags & NS_SOCK_OPENED)
		return;
	if (submit_open(NS_EVENT_TCP_CONNECT, state->start_ns, state->conn_id, &state->task, &state->ends, 0))
		state->flags |= NS_SOCK_OPENED;
}

#define NS_RCV_SHUTDOWN 1
#define NS_MAX_UNREAD (1U << 30) /* more than any receive buffer: a torn read, not data */

/* Data that arrived but was not read when the socket reached CLOSE. A client that half-closes and then reads the
 * answer is in FIN_WAIT2 when the answer and the server's FIN arrive: the kernel moves it to TIME_WAIT (the CLOSE
 * transition, and so its close record) before the application reads, and the reads after that find no tracked
 * socket. A socket closed with data unread (it sends a reset) had those bytes arrive too. rcv_nxt - copied_seq is
 * what the receive queue holds, plus the FIN's sequence number when the FIN came in and was not read yet (reading
 * the end of the stream moves copied_seq past it). */
static __always_inline __u64 unread_of(__u32 rcv_nxt, __u32 copied_seq, __u8 shutdown)
{
	__u32 unread = rcv_nxt - copied_seq;
	if (unread && (shutdown & NS_RCV_SHUTDOWN))
		unread--;
	return unread < NS_MAX_UNREAD ? unread : 0;
}

/* What the close record needs beyond struct sock, the type the tracepoint hands us: the unread bytes, and (for a
 * connect that never reached ESTABLISHED, whose skc_num is already 0 when CLOSE is traced) inet_sport, the port the
 * kernel chose (network order). `sport`: null for the short record (the connect record had the port), else filled
 * only when 0. tp_btf: bpf_skc_to_tcp_sock gives a BTF pointer to the tcp_sock, so the fields are plain loads;
 * raw_tp: probe reads. */
static __always_inline __u64 read_close_extras(const struct sock *sk, __u16 *sport, int direct)
{
	if (direct) {
		const struct tcp_sock *tp = bpf_skc_to_tcp_sock((void *)sk);
		if (!tp)
			return 0; /* not a full TCP socket: cannot be one tracked since SYN_SENT */
		if (sport && !*sport)
			*sport = ((const struct inet_sock *)tp)->inet_sport;
		return unread_of(tp->rcv_nxt, tp->copied_seq, sk->sk_shutdown);
	}
	const struct tcp_sock *tp = (const struct tcp_sock *)sk;
	if (sport && !*sport)
		*sport = BPF_CORE_READ((const struct inet_sock *)sk, inet_sport);
	return unread_of(BPF_CORE_READ(tp, rcv_nxt), BPF_CORE_READ(tp, copied_seq), BPF_CORE_READ(sk, sk_shutdown));
}

/* The close of a socket whose connect record was written: the short record (user space has the rest from the
 * connect record, by conn_id). */
static __always_inline void submit_close_short(const struct sock *sk, const struct ns_sock_state *state, __u64 now,
					       int direct)
{
	struct ns_close_short_event *event = bpf_ringbuf_reserve(&ns_events, sizeof(*event), 0);
	if (!event) {
		count_lost(NS_LOST_RINGBUF);
		return;
	}
	fill_header(&event->header, NS_EVENT_TCP_CLOSE_SHORT, now);
	event->conn_id = state->conn_id;
	event->duration_ns = now - state->start_ns;
	event->bytes_sent = state->bytes_sent;
	event->bytes_received = state->bytes_received + read_close_extras(sk, 0, direct);
	event->flags = (state->flags & NS_SOCK_ESTABLISHED) ? NS_CLOSE_ESTABLISHED : 0;
	event->pad0 = 0;
	bpf_ringbuf_submit(event, NS_SUBMIT_FLAGS);
}

/* The close of a socket with no connect record (refused before ESTABLISHED and before a SYN retransmission, or its
 * connect record found the ring full): the full record, with the identity captured at SYN_SENT. */
static __always_inline void submit_close_full(const struct sock *sk, const struct ns_sock_state *state, __u64 now,
					      int direct)
{
	struct ns_close_event *event = bpf_ringbuf_reserve(&ns_events, sizeof(*event), 0);
	if (!event) {
		count_lost(NS_LOST_RINGBUF);
		return;
	}
	fill_header(&event->header, NS_EVENT_TCP_CLOSE, now);
	event->conn_id = state->conn_id;
	event->duration_ns = now - state->start_ns;
	event->bytes_sent = state->bytes_sent;
	event->bytes_received = state->bytes_received;
	event->task = state->task;
	event->flags = (state->flags & NS_SOCK_ESTABLISHED) ? NS_CLOSE_ESTABLISHED : 0;
	event->pad0 = 0;
	event->ends = state->ends;
	/* A connect that never reached ESTABLISHED (refused, timed out) has no port in the map yet. */
	event->bytes_received += read_close_extras(sk, &event->ends.sport, direct);
	bpf_ringbuf_submit(event, NS_SUBMIT_FLAGS);
}

static __always_inline void on_close(const struct sock *sk, __u64 key, int direct)
{
	struct ns_sock_state *state = bpf_map_lookup_elem(&ns_socks, &key);
	if (!state)
		return;

	__u64 now = bpf_ktime_get_ns();
	if (state->flags & NS_SOCK_OPENED)
		submit_close_short(sk, state, now, direct);
	else
		submit_close_full(sk, state, now, direct);
	bpf_map_delete_elem(&ns_socks, &key);
}

/* The pid is only trustworthy at SYN_SENT (the connecting task's context); later transitions may
 * run in softirq, so identity is captured there and carried to CLOSE. Passive opens never pass
 * through SYN_SENT, so only outbound sockets are tracked.
 * Most transitions are not ours and leave before any map access: a connect to a local server makes
 * six (three per end); of the accepted end's, SYN_RECV and ESTABLISHED-from-SYN_RECV return at once.
 * (A simultaneous open, SYN_SENT -> SYN_RECV -> ESTABLISHED, is then reported as a failed connect.) */
static __always_inline int tcp_state(const struct sock *sk, int oldstate, int newstate, int direct)
{
	__u64 key = (__u64)sk;

	if (newstate == TCP_SYN_SENT) {
		on_syn_sent(sk, key, direct);
	} else if (newstate == TCP_ESTABLISHED) {
		if (oldstate != TCP_SYN_SENT)
			return 0; /* an accepted socket */
		struct ns_sock_state *state = bpf_map_lookup_elem(&ns_socks, &key);
		if (state) {
			state->flags |= NS_SOCK_ESTABLISHED;
			open_when_port_known(sk, state, direct);
		}
	} else if (newstate == TCP_CLOSE) {
		if (oldstate == TCP_LISTEN)
			return 0; /* a listener never connected */
		on_close(sk, key, direct);
	}
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(ns_tcp_state, const struct sock *sk, int oldstate, int newstate)
{
	return tcp_state(sk, oldstate, newstate, NS_BTF);
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(ns_tcp_state_raw, const struct sock *sk, int oldstate, int newstate)
{
	return tcp_state(sk, oldstate, newstate, NS_RAW);
}

/* A retransmission. Only a SYN of a connect still waiting matters (its connect record is due); any other leaves
 * before a map access. Retransmissions are rare, so this costs nothing per connect. */
static __always_inline int tcp_retransmit(const struct sock *sk, int direct)
{
	if (NS_READ(direct, sk, __sk_common.skc_state) != TCP_SYN_SENT)
		return 0;
	__u64 key = (__u64)sk;
	struct ns_sock_state *state = bpf_map_lookup_elem(&ns_socks, &key);
	if (state)
		open_when_port_known(sk, state, direct);
	return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(ns_tcp_retransmit, const struct sock *sk)
{
	return tcp_retransmit(sk, NS_BTF);
}

SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(ns_tcp_retransmit_raw, const struct sock *sk)
{
	return tcp_retransmit(sk, NS_RAW);
}

/* This thread's pending sendto() destination, emptied as it is taken; null when there is none. */
static __always_inline struct ns_udp_dest *take_udp_dest(__u64 pid_tgid)
{
	__u32 zero = 0;
	struct ns_udp_dest *dest = bpf_map_lookup_elem(&ns_udp_dests, &zero);
	if (!dest || dest->pid_tgid != pid_tgid)
		return 0;
	dest->pid_tgid = 0;
	if (bpf_jiffies64() - dest->set_tick > NS_UDP_DEST_MAX_AGE_TICKS)
		return 0;
	return dest;
}

/* Once per new UDP flow: what user space needs to ask the routing table for the source address the kernel picks for an
 * unbound socket (no program runs per datagram to see it). */
static __always_inline void read_route(const struct sock *sk, struct ns_sock_route *route, int direct)
{
	if (direct) {
		route->netns = sk->__sk_common.skc_net.net->ns.inum;
		route->bound_dev_if = sk->__sk_common.skc_bound_dev_if;
		route->mark = sk->sk_mark;
		route->uid = sk->sk_uid.val;
	} else {
		route->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
		route->bound_dev_if = BPF_CORE_READ(sk, __sk_common.skc_bound_dev_if);
		route->mark = BPF_CORE_READ(sk, sk_mark);
		route->uid = BPF_CORE_READ(sk, sk_uid.val);
	}
}

/* One more datagram sent on a flow. Datagrams are timed by the tick (jiffies: a plain load), and the clock is read only
 * for the first datagram of a tick: reading it cost a UDP send's program ~35 ns, a fifth of its time. A send within
 * the tick of one already timed is far inside the idle gap; so the gap is measured from the first send of the latest
 * tick, at most one tick (1-10 ms) before the latest send. */
static __always_inline void count_udp_send(struct ns_udp_flow *flow, __u64 bytes)
{
	__sync_fetch_and_add(&flow->bytes_sent, bytes);
	__sync_fetch_and_add(&flow->packets_sent, 1);
	__u64 tick = bpf_jiffies64();
	if (flow->last_send_tick == tick)
		return;
	flow->last_send_tick = tick;
	__u64 now = bpf_ktime_get_ns(), last = flow->last_send_ns;
	if (now - last < NS_UDP_IDLE_GAP_NS) {
		flow->last_send_ns = now;
		return;
	}
	/* The first send after an idle gap starts a session; of two CPUs sending at once, one reports it. */
	if (__sync_val_compare_and_swap(&flow->last_send_ns, last, now) == last)
		submit_open(NS_EVENT_UDP_RESUMED, now, flow->conn_id, &flow->task, &flow->ends, 0);
}

/* One datagram (sending) or a read (receiving) on a UDP socket. `dest` is an unconnected send's destination, null for
 * a connected socket (its destination is on the socket) and for a receive. */
static __always_inline void account_udp(const struct sock *sk, __u64 bytes, int sending, const struct ns_udp_dest *dest,
					int direct)
{
	struct ns_udp_key key = {};

	if (dest) {
		key.family = dest->family;
		key.dport = dest->dport;
		__builtin_memcpy(key.daddr, dest->daddr, sizeof(key.daddr));
	} else {
		/* connected socket: the destination is on the socket (none on a receiving server's socket) */
		key.dport = NS_READ(direct, sk, __sk_common.skc_dport);
		if (!key.dport)
			return;
		key.family = NS_READ(direct, sk, __sk_common.skc_family);
		if (key.family == NS_AF_INET6)
			NS_READ_ARRAY(direct, &key.daddr, sk, __sk_common.skc_v6_daddr);
		else
			NS_READ_ARRAY(direct, (__u32 *)key.daddr, sk, __sk_common.skc_daddr);
	}
	if (!key.dport)
		return;
	key.tgid = bpf_get_current_pid_tgid() >> 32;

	struct ns_udp_flow *flow = bpf_map_lookup_elem(&ns_udp_flows, &key);
	if (flow) {
		if (sending) {
			count_udp_send(flow, bytes);
		} else {
			__sync_fetch_and_add(&flow->bytes_received, bytes);
			__sync_fetch_and_add(&flow->packets_received, 1);
		}
		return;
	}
	if (!sending)
		return; /* a flow is born by a send */

	__u64 now = bpf_ktime_get_ns();
	__u64 *peer_sent_first = bpf_map_lookup_elem(&ns_udp_peers, &key);
	if (peer_sent_first && now - *peer_sent_first < NS_UDP_PEER_TTL_NS)
		return; /* a reply: not outbound */

	struct ns_udp_flow fresh = {};
	fresh.conn_id = __sync_fetch_and_add(&ns_next_conn_id, 1) + 1;
	fresh.first_ns = now;
	fresh.last_send_ns = now;
	fresh.last_send_tick = bpf_jiffies64();
	fresh.bytes_sent = bytes;
	fresh.packets_sent = 1;
	fill_task(&fresh.task, direct);
	read_addresses(sk, &fresh.ends, direct);
	fresh.ends.family = key.family;
	fresh.ends.dport = key.dport;
	fresh.ends.protocol = NS_PROTO_UDP;
	__builtin_memcpy(fresh.ends.daddr, key.daddr, sizeof(key.daddr));
	if (key.family != NS_AF_INET6 && NS_READ(direct, sk, __sk_common.skc_family) == NS_AF_INET6)
		__builtin_memset(fresh.ends.saddr, 0, sizeof(fresh.ends.saddr)); /* dual-stack socket */

	long err = bpf_map_update_elem(&ns_udp_flows, &key, &fresh, BPF_NOEXIST);
	if (err) {
		/* another CPU created it first: count the bytes there */
		flow = bpf_map_lookup_elem(&ns_udp_flows, &key);
		if (flow) {
			__sync_fetch_and_add(&flow->bytes_sent, bytes);
			__sync_fetch_and_add(&flow->packets_sent, 1);
		} else
			count_lost(NS_LOST_MAP_FULL);
		return;
	}
	struct ns_sock_route route = {};
	read_route(sk, &route, direct);
	submit_open(NS_EVENT_UDP_FLOW, now, fresh.conn_id, &fresh.task, &fresh.ends, &route);
}

/* ---- DNS capture ----
 * A socket is a DNS client's once it sends to port 53: marked at that send (tp_btf: in sock_send_length, from the
 * socket or the call's address; raw_tp: cgroup/sendmsg and cgroup/connect). Its storage holds the asker (the task that
 * last sent a query: its own context) and the server.
 * How the messages are copied depends on the hook variant:
 *   - tp_btf: in sock_send_length / sock_recv_length, from the caller's own buffers (the syscall's arguments, through
 *     bpf_task_pt_regs), only for marked sockets. Other traffic pays a port compare, or, for a UDP socket with no
 *     peer receiving, one socket-storage lookup that finds nothing. No program runs per packet.
 *   - raw_tp (no BTF-typed programs, so no socket storage from a tracepoint): cgroup_skb ingress/egress on the
 *     cgroup-v2 root copy the packets of marked sockets; every packet of the host passes through them.
 */
struct ns_dns_sock {
	struct ns_task task;        /* the task that last sent to port 53 on this socket: the asker */
	struct ns_endpoints server; /* family, daddr, dport: the server it last asked (for an unconnected socket) */
	__u64 mmsg_vec;             /* sendmmsg: the vector being sent (0 = none), by which thread, and the next entry */
	__u32 mmsg_tid;
	__u32 mmsg_next;
	__u32 tcp_prefix[2];        /* a TCP length prefix read [0] / written [1] in a call of its own: 0x10000 | value */
	__u32 tcp_offset[2];        /* TCP: bytes read [0] / written [1] so far, the record's tcp_seq (user space
				     * puts a message read in several calls back together by it) */
};

/* The storage dies with the socket. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ns_dns_sock);
} ns_dns_socks SEC(".maps");

/* A DNS record being assembled from user memory. The spill after the payload lets a copy start anywhere in the payload
 * with a length the verifier can bound by a mask: it checks the bounds of each copy, not their sum. */
#define NS_DNS_SPILL_LEN (2 * NS_DNS_PAYLOAD_LEN)
struct ns_dns_scratch {
	struct ns_dns_event event;
	__u8 spill[NS_DNS_SPILL_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ns_dns_scratch);
} ns_dns_scratch SEC(".maps");

/* x86-64 numbers of the calls that move a socket's data (the object is built for x86-64: -D__TARGET_ARCH_x86).
 * A 32-bit task's numbers differ and match none of these: its messages are not copied. */
#define NS_SYS_READ 0
#define NS_SYS_WRITE 1
#define NS_SYS_READV 19
#define NS_SYS_WRITEV 20
#define NS_SYS_SENDTO 44
#define NS_SYS_RECVFROM 45
#define NS_SYS_SENDMSG 46
#define NS_SYS_RECVMSG 47
#define NS_SYS_SENDMMSG 307
#define NS_MMSGHDR_SIZE 64 /* struct mmsghdr: a user_msghdr and its length, padded */
#define NS_MAX_IOVECS 4    /* a DNS message is one or two buffers (glibc writes a TCP length and the message) */

/* Appends up to `len` bytes at user address `from` to the payload after `got` bytes; returns the new count. */
static __always_inline __u32 append_user(struct ns_dns_scratch *scratch, __u32 got, __u64 from, __u64 len)
{
	if (got >= NS_DNS_PAYLOAD_LEN)
		return got;
	__u64 room = NS_DNS_PAYLOAD_LEN - got;
	if (len > room)
		len = room;
	/* len <= room <= NS_DNS_PAYLOAD_LEN; the mask changes nothing but gives the verifier a bound clang cannot drop */
	barrier_var(len);
	len &= NS_DNS_SPILL_LEN - 1;
	if (bpf_probe_read_user(scratch->event.payload + (got & (NS_DNS_PAYLOAD_LEN - 1)), len, (const void *)from))
		return NS_DNS_PAYLOAD_LEN + 1; /* unreadable: the record is dropped */
	return got + len;
}

/* Copies the DNS message a send or receive call on a marked socket just moved (`ret` bytes) from the caller's
 * buffers into a record. The call is found from the task's syscall registers: read/write/recvfrom/sendto point at
 * one buffer, readv/writev at an iovec array, recvmsg/sendmsg at a msghdr, sendmmsg at a vector of them (each entry
 * fires this hook once, in order; which one this is, is kept on the socket and checked against `ret`). Not copied:
 * recvmmsg (which entry a message went to is unknown here), io_uring and other calls with no such registers. */
static __always_inline void capture_dns_call(const struct sock *sk, struct ns_dns_sock *dns, __u16 protocol, int ret,
					     int sending)
{
	/* Every call moves the stream on, whether or not its bytes are copied below. */
	__u32 offset = dns->tcp_offset[sending ? 1 : 0];
	if (protocol == NS_PROTO_TCP)
		dns->tcp_offset[sending ? 1 : 0] = offset + (__u32)ret;
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	long nr = regs->orig_ax;
	__u64 arg1 = regs->si, arg2 = regs->dx;
	__u64 buffer = 0, iov = 0, iovcnt = 0, msghdr = 0;
	int mmsg = 0;

	if (nr == (sending ? NS_SYS_WRITE : NS_SYS_READ) || nr == (sending ? NS_SYS_SENDTO : NS_SYS_RECVFROM)) {
		buffer = arg1;
	} else if (nr == (sending ? NS_SYS_WRITEV : NS_SYS_READV)) {
		iov = arg1;
		iovcnt = arg2;
	} else if (nr == (sending ? NS_SYS_SENDMSG : NS_SYS_RECVMSG)) {
		msghdr = arg1;
	} else if (sending && nr == NS_SYS_SENDMMSG) {
		__u32 tid = (__u32)bpf_get_current_pid_tgid();
		__u64 index = dns->mmsg_vec == arg1 && dns->mmsg_tid == tid && dns->mmsg_next < arg2 ? dns->mmsg_next : 0;
		dns->mmsg_vec = index + 1 < arg2 ? arg1 : 0;
		dns->mmsg_tid = tid;
		dns->mmsg_next = index + 1;
		msghdr = arg1 + index * NS_MMSGHDR_SIZE;
		mmsg = 1;
	} else {
		return;
	}
	if (msghdr) {
		struct ns_user_msghdr header;
		if (bpf_probe_read_user(&header, sizeof(header), (const void *)msghdr))
			return;
		iov = header.iov;
		iovcnt = header.iovlen;
	}

	__u32 zero = 0;
	struct ns_dns_scratch *scratch = bpf_map_lookup_elem(&ns_dns_scratch, &zero);
	if (!scratch)
		return;
	/* A TCP reader that takes the 2-byte length in a call of its own (glibc) gets it back in front of the message,
	 * so every TCP record starts with its length, as a segment would. */
	__u32 direction = sending ? 1 : 0, got = 0;
	__u32 prefix = dns->tcp_prefix[direction & 1];
	if (protocol == NS_PROTO_TCP && prefix) {
		scratch->event.payload[0] = (__u8)(prefix >> 8);
		scratch->event.payload[1] = (__u8)prefix;
		got = 2;
		dns->tcp_prefix[direction & 1] = 0;
	}
	__u64 left = (__u64)ret, total = 0;
	if (buffer) {
		got = append_user(scratch, got, buffer, left);
	} else {
		for (int i = 0; i < NS_MAX_IOVECS; i++) {
			if (i >= iovcnt)
				break;
			struct ns_user_iovec vec;
			if (bpf_probe_read_user(&vec, sizeof(vec), (const void *)(iov + i * sizeof(vec))))
				return;
			total += vec.len;
			__u64 take = vec.len < left ? vec.len : left;
			got = append_user(scratch, got, vec.base, take);
			left -= take;
		}
		if (mmsg && iovcnt <= NS_MAX_IOVECS && total != (__u64)ret)
			return; /* not the entry the cursor said: leave this one out rather than log another's bytes */
	}
	if (got > NS_DNS_PAYLOAD_LEN)
		return;
	if (protocol == NS_PROTO_TCP && !prefix && ret == 2 && got == 2) {
		dns->tcp_prefix[direction & 1] = 0x10000 | ((__u32)scratch->event.payload[0] << 8) | scratch->event.payload[1];
		return;
	}
	if (got < 1)
		return;

	struct ns_dns_event *event = &scratch->event;
	fill_header(&event->header, NS_EVENT_DNS, bpf_ktime_get_ns());
	event->task = dns->task;
	read_addresses(sk, &event->ends, NS_BTF);
	if (!event->ends.dport) { /* unconnected: the server it last asked */
		event->ends.family = dns->server.family;
		event->ends.dport = dns->server.dport;
		__builtin_memcpy(event->ends.daddr, dns->server.daddr, sizeof(event->ends.daddr));
	}
	event->ends.protocol = protocol;
	event->wire_len = (__u32)ret + (prefix ? 2 : 0);
	event->captured = got;
	event->tcp_seq = protocol == NS_PROTO_TCP ? offset - (prefix ? 2 : 0) : 0; /* the prefix came just before */
	event->ingress = !sending;
	if (bpf_ringbuf_output(&ns_events, event, sizeof(*event), NS_SUBMIT_FLAGS))
		count_lost(NS_LOST_RINGBUF);
}

/* A send on a UDP or TCP socket (tp_btf): is it a DNS query? `dest` is an unconnected send's destination (read from
 * the call), null for a connected socket's send. A send to port 53 marks the socket. */
static __always_inline void dns_on_send(const struct sock *sk, __u16 protocol, const struct ns_udp_dest *dest, int ret)
{
	if ((dest ? dest->dport : sk->__sk_common.skc_dport) != bpf_htons(NS_DNS_PORT))
		return;
	struct ns_dns_sock *dns = bpf_sk_storage_get(&ns_dns_socks, (void *)sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!dns)
		return;
	if (dns->task.pid != (__u32)bpf_get_current_pid_tgid())
		fill_task(&dns->task, NS_BTF); /* the asker changes only when another thread sends */
	if (dest) {
		dns->server.family = dest->family;
		dns->server.dport = dest->dport;
		__builtin_memcpy(dns->server.daddr, dest->daddr, sizeof(dns->server.daddr));
	}
	if (ret <= 0) {
		dns->mmsg_vec = 0; /* a failed entry ends a sendmmsg */
		return;
	}
	capture_dns_call(sk, dns, protocol, ret, 1);
}

/* A receive on a UDP or TCP socket (tp_btf): an answer, if the socket is a DNS client's. A connected socket is
 * turned away by its port; only an unconnected UDP socket costs a storage lookup. */
static __always_inline void dns_on_recv(const struct sock *sk, __u16 protocol, int ret)
{
	__u16 dport = sk->__sk_common.skc_dport;
	if (dport && dport != bpf_htons(NS_DNS_PORT))
		return;
	struct ns_dns_sock *dns = bpf_sk_storage_get(&ns_dns_socks, (void *)sk, 0, 0);
	if (dns)
		capture_dns_call(sk, dns, protocol, ret, 0);
}

/* The address a cgroup sock_addr program sees (network order), as the 16 bytes our keys hold; IPv4 in the first four. */
static __always_inline void copy_user_addr(const struct bpf_sock_addr *ctx, __u16 family, __u8 *daddr)
{
	__u32 *words = (__u32 *)daddr;
	if (family == NS_AF_INET6) {
		words[0] = ctx->user_ip6[0];
		words[1] = ctx->user_ip6[1];
		words[2] = ctx->user_ip6[2];
		words[3] = ctx->user_ip6[3];
	} else {
		words[0] = ctx->user_ip4;
		words[1] = 0;
		words[2] = 0;
		words[3] = 0;
	}
}

/* Marks the socket of a sendto/sendmsg/connect to port 53 (the raw_tp variant's cgroup programs). */
static __always_inline void mark_dns_socket(struct bpf_sock_addr *ctx, __u16 family)
{
	if (ctx->user_port != bpf_htons(NS_DNS_PORT))
		return;
	struct ns_dns_sock *dns = bpf_sk_storage_get(&ns_dns_socks, ctx->sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!dns)
		return;
	if (dns->task.pid != (__u32)bpf_get_current_pid_tgid()) /* the asker changes only when another thread sends */
		fill_task(&dns->task, NS_RAW);                     /* no BTF task helper in cgroup programs: probe reads */
	dns->server.family = family;
	dns->server.dport = (__u16)ctx->user_port;
	copy_user_addr(ctx, family, dns->server.daddr);
}

/* tp_btf: an unconnected send's destination, read from the call's own arguments (sendto's address, sendmsg's
 * msg_name, sendmmsg's when it sends one message) into *dest; null when the call names none (a connected socket's
 * send) or when it cannot be read here: io_uring, a 32-bit task, a sendmmsg of several messages (which entry this
 * is, is not known) — their bytes on an unconnected socket are not counted. This replaces cgroup/sendmsg, whose
 * program and the socket lock the kernel takes around it cost every unconnected datagram ~100 ns more. */
static __always_inline struct ns_udp_dest *dest_from_call(struct ns_udp_dest *dest)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	long nr = regs->orig_ax;
	__u64 name, namelen;
	if (nr == NS_SYS_SENDTO) {
		name = regs->r8;
		namelen = regs->r9;
	} else if (nr == NS_SYS_SENDMSG || (nr == NS_SYS_SENDMMSG && regs->dx == 1)) {
		struct ns_user_msghdr header; /* only msg_name and msg_namelen are read */
		if (bpf_probe_read_user(&header, offsetof(struct ns_user_msghdr, iov), (const void *)regs->si))
			return 0;
		name = header.name;
		namelen = header.namelen;
	} else {
		return 0;
	}
	struct {
		__u16 family;
		__u16 port;   /* network order */
		__u32 v4;     /* sockaddr_in: the address; sockaddr_in6: the flow label */
		__u8 v6[16];  /* sockaddr_in6: the address */
	} addr;
	/* One user read of the name per datagram (a read costs ~45 ns here, a third of this program): the whole head when
	 * the name is long enough for an IPv6 address */
	const __u32 head = offsetof(typeof(addr), v6);
	if (!name || namelen < head)
		return 0;
	if (namelen >= sizeof(addr) ? bpf_probe_read_user(&addr, sizeof(addr), (const void *)name)
				    : bpf_probe_read_user(&addr, head, (const void *)name))
		return 0;
	if (addr.family == NS_AF_INET) {
		__builtin_memset(dest->daddr, 0, sizeof(dest->daddr));
		__builtin_memcpy(dest->daddr, &addr.v4, sizeof(addr.v4));
	} else if (addr.family == NS_AF_INET6 && namelen >= sizeof(addr)) {
		__builtin_memcpy(dest->daddr, addr.v6, sizeof(dest->daddr));
	} else {
		return 0;
	}
	dest->family = addr.family;
	dest->dport = addr.port;
	return dest;
}

static __always_inline int send_length(const struct sock *sk, int ret, int direct)
{
	__u64 key = (__u64)sk;

	/* Protocol first: ns_socks holds only TCP sockets, so a UDP send skips a hash lookup that always misses. */
	__u16 protocol = NS_READ(direct, sk, sk_protocol);
	if (protocol == NS_PROTO_UDP) {
		struct ns_udp_dest from_call;
		struct ns_udp_dest *dest = direct ? dest_from_call(&from_call) /* a failed send consumes the raw_tp slot too */
						  : take_udp_dest(bpf_get_current_pid_tgid());
		if (direct)
			dns_on_send(sk, protocol, dest, ret);
		if (ret > 0)
			account_udp(sk, (__u64)ret, 1, dest, direct);
		return 0;
	}
	if (protocol != NS_PROTO_TCP)
		return 0;
	if (direct)
		dns_on_send(sk, protocol, 0, ret);
	if (ret <= 0)
		return 0;
	struct ns_sock_state *state = bpf_map_lookup_elem(&ns_socks, &key);
	if (state)
		__sync_fetch_and_add(&state->bytes_sent, (__u64)ret);
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(ns_send_len, struct sock *sk, int ret, int flags)
{
	return send_length(sk, ret, NS_BTF);
}

SEC("raw_tp/sock_send_length")
int BPF_PROG(ns_send_len_raw, struct sock *sk, int ret, int flags)
{
	return send_length(sk, ret, NS_RAW);
}

static __always_inline int recv_length(const struct sock *sk, int ret, int flags, int direct)
{
	__u64 key = (__u64)sk;

	if (ret <= 0 || (flags & MSG_PEEK))
		return 0;
	__u16 protocol = NS_READ(direct, sk, sk_protocol);
	if (protocol == NS_PROTO_UDP) {
		if (direct)
			dns_on_recv(sk, protocol, ret);
		account_udp(sk, (__u64)ret, 0, 0, direct);
		return 0;
	}
	if (protocol != NS_PROTO_TCP)
		return 0;
	if (direct)
		dns_on_recv(sk, protocol, ret);
	struct ns_sock_state *state = bpf_map_lookup_elem(&ns_socks, &key);
	if (state)
		__sync_fetch_and_add(&state->bytes_received, (__u64)ret);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(ns_recv_len, struct sock *sk, int ret, int flags)
{
	return recv_length(sk, ret, flags, NS_BTF);
}

SEC("raw_tp/sock_recv_length")
int BPF_PROG(ns_recv_len_raw, struct sock *sk, int ret, int flags)
{
	return recv_length(sk, ret, flags, NS_RAW);
}

static __always_inline int remember_udp_dest(struct bpf_sock_addr *ctx, __u16 family)
{
	mark_dns_socket(ctx, family);
	__u32 zero = 0;
	struct ns_udp_dest *dest = bpf_map_lookup_elem(&ns_udp_dests, &zero);
	if (!dest)
		return 1;
	dest->pid_tgid = bpf_get_current_pid_tgid();
	dest->set_tick = bpf_jiffies64();
	dest->family = family;
	dest->dport = (__u16)ctx->user_port;
	copy_user_addr(ctx, family, dest->daddr);
	return 1; /* allow: we observe, never block */
}

/* A datagram received with its source address asked for (recvfrom/recvmsg with msg_name: what a server does
 * to learn whom to answer). A peer that sends to a process before the process sent to it is remembered, so
 * the answers make no outbound flow. One lookup when the peer is ours already (a reply to our own flow). */
static __always_inline int remember_udp_peer(struct bpf_sock_addr *ctx, __u16 family)
{
	struct ns_udp_key key = {};
	key.tgid = bpf_get_current_pid_tgid() >> 32;
	key.family = family;
	key.dport = (__u16)ctx->user_port;
	copy_user_addr(ctx, family, key.daddr);
	if (bpf_map_lookup_elem(&ns_udp_flows, &key))
		return 1; /* we sent first: an answer on our own flow */
	__u64 now = bpf_ktime_get_ns();
	__u64 *seen = bpf_map_lookup_elem(&ns_udp_peers, &key);
	if (seen)
		*seen = now;
	else
		bpf_map_update_elem(&ns_udp_peers, &key, &now, BPF_ANY);
	return 1; /* allow: we observe, never block */
}

SEC("cgroup/recvmsg4")
int ns_udp_recvmsg4(struct bpf_sock_addr *ctx)
{
	return remember_udp_peer(ctx, NS_AF_INET);
}

SEC("cgroup/recvmsg6")
int ns_udp_recvmsg6(struct bpf_sock_addr *ctx)
{
	return remember_udp_peer(ctx, NS_AF_INET6);
}

/* raw_tp variant: unconnected sendto()/sendmsg(): the destination exists only in the call, not on the socket. */
SEC("cgroup/sendmsg4")
int ns_udp_sendmsg4(struct bpf_sock_addr *ctx)
{
	return remember_udp_dest(ctx, NS_AF_INET);
}

SEC("cgroup/sendmsg6")
int ns_udp_sendmsg6(struct bpf_sock_addr *ctx)
{
	return remember_udp_dest(ctx, NS_AF_INET6);
}

/* An exec record and its argv, too large for the stack: built here, then copied into the ring buffer at its used
 * length (a short command line costs a short record). */
struct ns_exec_record {
	struct ns_exec_event event;
	char args[NS_ARGS_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ns_exec_record);
} ns_exec_scratch SEC(".maps");

/* Writes the path of `file` into event->path as its components leaf first, each NUL-terminated, walking dentries up
 * to their mount's root and crossing to the parent mount until the root of the process's mount tree. The leaf is
 * written first so that what is cut, when the path is deeper than NS_PATH_DEPTH steps or longer than NS_PATH_LEN,
 * is the top of the path (the event is then marked NS_EXEC_PATH_TRUNCATED). Probe reads: runs once per exec. */
static __always_inline void read_exe_path(struct ns_exec_event *event, struct file *file)
{
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	struct vfsmount *vfsmnt = BPF_CORE_READ(file, f_path.mnt);
	struct mount *mnt = (struct mount *)((char *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
	__u32 used = 0;
	int reached_root = 0;

	for (int step = 0; step < NS_PATH_DEPTH; step++) {
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
		if (dentry == BPF_CORE_READ(vfsmnt, mnt_root) || dentry == parent) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
			if (dentry != BPF_CORE_READ(vfsmnt, mnt_root) || up == mnt) {
				reached_root = 1; /* the root of the mount tree (or of a detached file system) */
				break;
			}
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			vfsmnt = (struct vfsmount *)((char *)up + bpf_core_field_offset(struct mount, mnt));
			continue;
		}
		if (used >= NS_PATH_LEN)
			break; /* no room for a whole component: truncated */
		const unsigned char *name = BPF_CORE_READ(dentry, d_name.name);
		long n = bpf_probe_read_kernel_str(&event->path[used & (NS_PATH_LEN - 1)], NS_NAME_LEN, name);
		if (n <= 0)
			break;
		used += n;
		dentry = parent;
	}
	if (!reached_root)
		event->flags |= NS_EXEC_PATH_TRUNCATED;
	event->path_len = used > NS_PATH_LEN + NS_NAME_LEN ? NS_PATH_LEN + NS_NAME_LEN : used;
}

/* So that a process which execs, connects and exits within a millisecond still has its executable, and every
 * connection keeps the command line its process had when it connected. */
static __always_inline int process_exec(int direct)
{
	__u32 zero = 0;
	struct ns_exec_record *record = bpf_map_lookup_elem(&ns_exec_scratch, &zero);
	if (!record)
		return 0;
	struct ns_exec_event *event = &record->event;
	fill_header(&event->header, NS_EVENT_EXEC, bpf_ktime_get_ns());
	fill_task(&event->task, direct);
	event->flags = 0;
	event->path_len = 0;
	event->args_len = 0;
	event->exe_inode = 0;
	event->exe_dev = 0;

	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	event->start_boottime_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	struct file *exe = BPF_CORE_READ(mm, exe_file);
	if (exe) {
		event->exe_inode = BPF_CORE_READ(exe, f_inode, i_ino);
		event->exe_dev = BPF_CORE_READ(exe, f_inode, i_sb, s_dev);
		read_exe_path(event, exe);
	} else {
		event->flags |= NS_EXEC_NO_FILE;
	}

	/* The new program's argv, just laid out by the kernel on its stack (resident: no fault needed). */
	unsigned long arg_start = BPF_CORE_READ(mm, arg_start), arg_end = BPF_CORE_READ(mm, arg_end);
	__u64 len = arg_end > arg_start ? arg_end - arg_start : 0;
	if (len > NS_ARGS_LEN) {
		len = NS_ARGS_LEN;
		event->flags |= NS_EXEC_ARGS_TRUNCATED;
	}
	/* ((len - 1) & (NS_ARGS_LEN - 1)) + 1 == len for 1 <= len <= NS_ARGS_LEN, in a form the verifier can bound */
	if (len > 0 && bpf_probe_read_user(record->args, ((len - 1) & (NS_ARGS_LEN - 1)) + 1, (const void *)arg_start) == 0)
		event->args_len = len;

	__u64 size = sizeof(*event) + event->args_len;
	if (size > sizeof(*record))
		return 0;
	if (bpf_ringbuf_output(&ns_events, record, size, NS_SUBMIT_FLAGS))
		count_lost(NS_LOST_RINGBUF);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(ns_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return process_exec(NS_BTF);
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(ns_exec_raw, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return process_exec(NS_RAW);
}

/* A new process: its parent, captured now, is the one it names even if that parent exits before the child execs
 * (the child is then re-parented to init or a subreaper). Threads leave at once. */
static __always_inline int process_fork(struct task_struct *child, int direct)
{
	if (NS_READ(direct, child, pid) != NS_READ(direct, child, tgid))
		return 0;
	struct ns_fork_event *event = bpf_ringbuf_reserve(&ns_events, sizeof(*event), 0);
	if (!event) {
		count_lost(NS_LOST_RINGBUF);
		return 0;
	}
	fill_header(&event->header, NS_EVENT_FORK, bpf_ktime_get_ns());
	fill_task(&event->task, direct);
	event->child_tgid = NS_READ(direct, child, tgid);
	event->pad0 = 0;
	/* Set by copy_process before this tracepoint, in the clock /proc/PID/stat's starttime counts (boot time, suspend
	 * included): a child that never execs gets the same entity_id here as from a /proc reader. */
	event->child_start_boottime_ns = NS_READ(direct, child, start_boottime);
	bpf_ringbuf_submit(event, NS_SUBMIT_FLAGS);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(ns_fork, struct task_struct *parent, struct task_struct *child)
{
	return process_fork(child, NS_BTF);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(ns_fork_raw, struct task_struct *parent, struct task_struct *child)
{
	return process_fork(child, NS_RAW);
}

/* Lets user space drop what it cached about a process. */
static __always_inline int process_exit(bool group_dead, int direct)
{
	if (!group_dead)
		return 0;
	struct ns_exit_event *event = bpf_ringbuf_reserve(&ns_events, sizeof(*event), 0);
	if (!event) {
		count_lost(NS_LOST_RINGBUF);
		return 0;
	}
	fill_header(&event->header, NS_EVENT_EXIT, bpf_ktime_get_ns());
	fill_task(&event->task, direct);
	bpf_ringbuf_submit(event, NS_SUBMIT_FLAGS);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ns_exit, struct task_struct *p, bool group_dead)
{
	return process_exit(group_dead, NS_BTF);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(ns_exit_raw, struct task_struct *p, bool group_dead)
{
	return process_exit(group_dead, NS_RAW);
}

/* connect() to port 53: glibc's resolver connects its UDP socket before sending, and DNS over TCP connects. */
SEC("cgroup/connect4")
int ns_dns_connect4(struct bpf_sock_addr *ctx)
{
	mark_dns_socket(ctx, NS_AF_INET);
	return 1;
}

SEC("cgroup/connect6")
int ns_dns_connect6(struct bpf_sock_addr *ctx)
{
	mark_dns_socket(ctx, NS_AF_INET6);
	return 1;
}

#define NS_ETH_P_IP 0x0800
#define NS_ETH_P_IPV6 0x86DD

/* Is this packet's server-side port 53 (source on ingress, destination on egress)? 1 yes, 0 no, -1 when the
 * headers are not in the linear area and the slow path must decide. Direct packet reads, no helper call:
 * this runs on every packet of every socket, and almost none is DNS. */
static __always_inline int dns_port_in_packet(struct __sk_buff *skb, int ingress)
{
	__u8 *ip = (__u8 *)(long)skb->data, *end = (__u8 *)(long)skb->data_end;
	if (ip + 20 > end)
		return -1;
	__u32 offset;
	__u8 protocol;
	if ((ip[0] >> 4) == 4) {
		offset = (ip[0] & 0xf) * 4;
		protocol = ip[9];
	} else if ((ip[0] >> 4) == 6) {
		offset = 40;
		if (ip + 40 > end)
			return -1;
		protocol = ip[6];
	} else {
		return 0;
	}
	if (protocol != NS_PROTO_UDP && protocol != NS_PROTO_TCP)
		return 0;
	__u8 *ports = ip + (offset & 0x3c);
	if (ports + 4 > end)
		return -1;
	__u16 port = ingress ? *(__u16 *)ports : *(__u16 *)(ports + 2);
	return port == bpf_htons(NS_DNS_PORT);
}

/* Copies a DNS message on a marked socket into the ring buffer: a query leaving (egress, to port 53) or
 * an answer arriving (ingress, from port 53). The packet starts at its IP header. */
static __always_inline int capture_dns(struct __sk_buff *skb, int ingress)
{
	if (!dns_port_in_packet(skb, ingress))
		return 1;
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 1;
	struct ns_dns_sock *dns = bpf_sk_storage_get(&ns_dns_socks, sk, 0, 0);
	if (!dns)
		return 1;

	struct ns_endpoints ends = {};
	__u8 ip[40];
	__u32 l4;
	__u8 protocol;
	/* server = the packet's source on ingress, its destination on egress */
	__u32 server = ingress ? 0 : 1, local = ingress ? 1 : 0;
	if (skb->protocol == bpf_htons(NS_ETH_P_IP)) {
		if (bpf_skb_load_bytes(skb, 0, ip, 20))
			return 1;
		if (ip[6] & 0x3f || ip[7])
			return 1; /* a fragment other than a whole datagram */
		l4 = (ip[0] & 0xf) * 4;
		protocol = ip[9];
		ends.family = NS_AF_INET;
		__builtin_memcpy(ends.daddr, ip + 12 + 4 * server, 4);
		__builtin_memcpy(ends.saddr, ip + 12 + 4 * local, 4);
	} else if (skb->protocol == bpf_htons(NS_ETH_P_IPV6)) {
		if (bpf_skb_load_bytes(skb, 0, ip, 40))
			return 1;
		l4 = 40;
		protocol = ip[6]; /* extension headers are not followed: DNS never carries them in practice */
		ends.family = NS_AF_INET6;
		__builtin_memcpy(ends.daddr, ip + 8 + 16 * server, 16);
		__builtin_memcpy(ends.saddr, ip + 8 + 16 * local, 16);
	} else {
		return 1;
	}

	__u8 l4h[14];
	__u32 payload;
	if (protocol == NS_PROTO_UDP) {
		if (bpf_skb_load_bytes(skb, l4, l4h, 8))
			return 1;
		payload = l4 + 8;
	} else if (protocol == NS_PROTO_TCP) {
		if (bpf_skb_load_bytes(skb, l4, l4h, 14))
			return 1;
		payload = l4 + (l4h[12] >> 4) * 4;
	} else {
		return 1;
	}
	__u16 sport = ((__u16)l4h[1] << 8) | l4h[0], dport = ((__u16)l4h[3] << 8) | l4h[2]; /* network order */
	if ((ingress ? sport : dport) != bpf_htons(NS_DNS_PORT))
		return 1;
	if (payload >= skb->len)
		return 1; /* a bare TCP ACK */
	__u32 wire_len = skb->len - payload;

	struct ns_dns_event *event = bpf_ringbuf_reserve(&ns_events, sizeof(*event), 0);
	if (!event) {
		count_lost(NS_LOST_RINGBUF);
		return 1;
	}
	__u32 captured = wire_len < NS_DNS_PAYLOAD_LEN ? wire_len : NS_DNS_PAYLOAD_LEN;
	if (captured < 1 || captured > NS_DNS_PAYLOAD_LEN ||
	    bpf_skb_load_bytes(skb, payload, event->payload, captured)) {
		bpf_ringbuf_discard(event, BPF_RB_NO_WAKEUP);
		return 1;
	}
	fill_header(&event->header, NS_EVENT_DNS, bpf_ktime_get_ns());
	event->task = dns->task;
	ends.protocol = protocol;
	ends.sport = ingress ? dport : sport;
	ends.dport = ingress ? sport : dport;
	event->ends = ends;
	event->wire_len = wire_len;
	event->captured = captured;
	/* l4h[4..7]: the TCP sequence number, already loaded with the header */
	event->tcp_seq = protocol == NS_PROTO_TCP
		? ((__u32)l4h[4] << 24) | ((__u32)l4h[5] << 16) | ((__u32)l4h[6] << 8) | l4h[7] : 0;
	event->ingress = ingress;
	bpf_ringbuf_submit(event, NS_SUBMIT_FLAGS);
	return 1;
}

SEC("cgroup_skb/ingress")
int ns_dns_ingress(struct __sk_buff *skb)
{
	return capture_dns(skb, 1);
}

SEC("cgroup_skb/egress")
int ns_dns_egress(struct __sk_buff *skb)
{
	return capture_dns(skb, 0);
}
