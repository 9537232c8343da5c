/* SPDX-License-Identifier: MIT */
/*
 * The ABI between the kernel program (netsentinel.bpf.c) and user space (NetSentinel.Linux/Bpf).
 * This header is the only definition; the C# mirror is checked against it by a test that compiles
 * generated _Static_asserts.
 *
 * Rules: fixed-width types only, explicit padding, no bool/bitfields/unions, fields in descending
 * alignment, every size a multiple of 8. Bump NS_ABI_VERSION on any change.
 * Byte order: ports and addresses are in network order (as the kernel stores them); everything
 * else is host order.
 */
#ifndef NETSENTINEL_H
#define NETSENTINEL_H

#ifndef NS_KERNEL_TYPES
#include <linux/types.h>
#endif

#define NS_ABI_VERSION 12

#define NS_COMM_LEN 16
/* The executable's path, as its components leaf first (each NUL-terminated): PATH_MAX, plus room for one more
 * NAME_MAX component so that a bounded read never runs past the end. */
#define NS_PATH_LEN 4096
#define NS_NAME_LEN 256  /* NAME_MAX + NUL: the most one component read may write */
#define NS_PATH_DEPTH 48 /* components and mount crossings walked; deeper paths are marked truncated */
/* The command line captured at exec (argv as the kernel laid it out, NUL-separated), at most this much. */
#define NS_ARGS_LEN 16384

/* ns_header.kind */
#define NS_EVENT_TCP_CONNECT 1
#define NS_EVENT_TCP_CLOSE 2 /* struct ns_close_event: a close whose connect record was not written (it carries the identity) */
#define NS_EVENT_UDP_FLOW 3
#define NS_EVENT_EXEC 4
#define NS_EVENT_EXIT 5
#define NS_EVENT_DNS 6
#define NS_EVENT_FORK 8 /* a new process (not a thread): struct ns_fork_event */
#define NS_EVENT_UDP_RESUMED 7 /* a UDP flow sent again after NS_UDP_IDLE_GAP_NS of silence (struct ns_open_event) */
#define NS_EVENT_TCP_CLOSE_SHORT 9 /* struct ns_close_short_event: a close whose connect record was written */

/* DNS capture: the server port, and how much of a message is copied (a typical answer section fits). */
#define NS_DNS_PORT 53
#define NS_DNS_PAYLOAD_LEN 512

/* ns_exec_event.flags */
#define NS_EXEC_PATH_TRUNCATED 1 /* the path was deeper or longer than NS_PATH_DEPTH / NS_PATH_LEN: its top is missing */
#define NS_EXEC_ARGS_TRUNCATED 2 /* the command line was longer than NS_ARGS_LEN: args holds its beginning */
#define NS_EXEC_NO_FILE 4        /* no mm->exe_file could be read: path, device and inode are empty */

/* ns_close_event.flags, ns_close_short_event.flags */
#define NS_CLOSE_ESTABLISHED 1 /* the handshake completed; absent = failed connect */

/* ns_sock_state.flags */
#define NS_SOCK_ESTABLISHED 1
#define NS_SOCK_OPENED 2 /* its connect record was written (the local port was known and the ring had room) */

/* indexes of the per-CPU loss counter array */
#define NS_LOST_RINGBUF 0  /* bpf_ringbuf_reserve failed: an event was dropped */
#define NS_LOST_MAP_FULL 1 /* a socket or flow could not be tracked: its bytes are not counted */
#define NS_LOST_SLOTS 2

/* A UDP flow that sends after this long without sending starts a new session (NS_EVENT_UDP_RESUMED).
 * Shorter than the period of any beacon worth scoring (a 3 s +-15 % beacon leaves >= 2.55 s between
 * bursts), longer than the spacing of datagrams within one exchange (a DNS retry, a burst). */
#define NS_UDP_IDLE_GAP_NS (1000ULL * 1000 * 1000)

#define NS_AF_INET 2
#define NS_AF_INET6 10
#define NS_PROTO_TCP 6
#define NS_PROTO_UDP 17

/* Every ring-buffer record starts with this. */
struct ns_header {
	__u64 timestamp_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u32 kind;         /* NS_EVENT_* */
	__u32 abi_version;  /* NS_ABI_VERSION */
};

/* The task that caused an event, captured in its own context. */
struct ns_task {
	__u64 cgroup_id;
	__u32 tgid; /* process id */
	__u32 pid;  /* thread id */
	__u32 ppid; /* tgid of the real parent */
	__u32 uid;  /* real uid */
	char comm[NS_COMM_LEN]; /* of the group leader */
};

/* Both ends of a connection or flow. IPv4 addresses use the first 4 bytes of the arrays. */
struct ns_endpoints {
	__u16 sport;    /* network order; 0 until the kernel has picked it */
	__u16 dport;    /* network order */
	__u16 family;   /* NS_AF_INET or NS_AF_INET6 */
	__u16 protocol; /* NS_PROTO_TCP or NS_PROTO_UDP */
	__u8 saddr[16];
	__u8 daddr[16];
};

/* What the kernel's route lookup for a UDP socket's datagrams depends on besides the destination and ports, read from
 * the socket when its flow is born: an unbound socket has no source address of its own (the kernel picks one per
 * datagram from the route), so user space asks the routing table the same question (RTM_GETROUTE) in the socket's
 * network namespace. All zero on TCP records and when not read. */
struct ns_sock_route {
	__u32 netns;        /* the socket's network namespace: its inode number, as /proc/PID/ns/net shows it */
	__u32 bound_dev_if; /* SO_BINDTODEVICE's interface index; 0 = none */
	__u32 mark;         /* SO_MARK (policy routing by fwmark) */
	__u32 uid;          /* the socket's owner (sk_uid), which `ip rule ... uidrange` matches */
};

/* NS_EVENT_TCP_CONNECT (once the local port exists: at ESTABLISHED or the first SYN retransmission; stamped
 * with the SYN_SENT time, task as captured then), NS_EVENT_UDP_FLOW (first datagram of a flow) and
 * NS_EVENT_UDP_RESUMED (first datagram after an idle gap; task is the flow's first sender). */
struct ns_open_event {
	struct ns_header header;
	__u64 conn_id; /* unique per tracked socket/flow while the program is loaded */
	struct ns_task task;
	struct ns_endpoints ends;
	struct ns_sock_route route; /* NS_EVENT_UDP_FLOW only */
};

/* NS_EVENT_TCP_CLOSE (at the transition to CLOSE of a socket seen at SYN_SENT whose connect record was not written:
 * refused before ESTABLISHED and before a SYN retransmission, or its connect record found no room in the ring). It
 * carries the identity the connect record would have, so user space opens the connection from it. */
struct ns_close_event {
	struct ns_header header;
	__u64 conn_id;
	__u64 duration_ns;
	__u64 bytes_sent;         /* sum of sock_send_length: what the process wrote */
	__u64 bytes_received;     /* sum of sock_recv_length: what the process read */
	struct ns_task task;      /* as captured at SYN_SENT */
	__u32 flags;              /* NS_CLOSE_* */
	__u32 pad0;
	struct ns_endpoints ends;
};

/* NS_EVENT_TCP_CLOSE_SHORT (at the transition to CLOSE of a socket whose connect record was written, NS_SOCK_OPENED:
 * nearly every close). Only what the connect record did not say: user space has the task and the endpoints from it,
 * found by conn_id. The connect record always has the local port (it is written only once the port exists). 56 bytes:
 * with the ring's 8-byte record header, one cache line (the full record is three). */
struct ns_close_short_event {
	struct ns_header header;
	__u64 conn_id;
	__u64 duration_ns;
	__u64 bytes_sent;     /* as in ns_close_event */
	__u64 bytes_received;
	__u32 flags;          /* NS_CLOSE_* */
	__u32 pad0;
};

/* NS_EVENT_EXEC: a successful execve, described by what the kernel executed (not the path string given to execve,
 * which a symlink repointed later, or a relative path, would make name another file). The record is this struct
 * followed by args_len bytes: the new program's argv as the kernel laid it out (NUL-separated, as
 * /proc/PID/cmdline), read in its own context at exec, at most NS_ARGS_LEN. */
struct ns_exec_event {
	struct ns_header header;
	struct ns_task task;
	__u64 start_boottime_ns; /* the process's start (task->start_boottime): what /proc/PID/stat's starttime counts */
	__u64 exe_inode;         /* mm->exe_file's inode number */
	__u32 exe_dev;           /* its super block's device, kernel encoding (major << 20 | minor) */
	__u32 flags;             /* NS_EXEC_* */
	__u32 path_len;          /* bytes of path used */
	__u32 args_len;          /* bytes of argv after this struct */
	char path[NS_PATH_LEN + NS_NAME_LEN]; /* mm->exe_file's path components, leaf first, each NUL-terminated */
};

/* NS_EVENT_FORK: a new process (fork, vfork, clone without CLONE_THREAD), so that a child re-parented before it
 * execs (its parent exited) still names the parent that started it. */
struct ns_fork_event {
	struct ns_header header;
	struct ns_task task; /* the parent, in its own context */
	__u32 child_tgid;
	__u32 pad0;
	__u64 child_start_boottime_ns; /* the child's task->start_boottime: what /proc/PID/stat's starttime counts */
};

/* NS_EVENT_EXIT: the last thread of a process exited. */
struct ns_exit_event {
	struct ns_header header;
	struct ns_task task;
};

/* NS_EVENT_DNS: a DNS message on a socket that sent to port 53 (a query it sends, an answer it receives). */
struct ns_dns_event {
	struct ns_header header;
	struct ns_task task;      /* the task that last sent to port 53 on this socket, captured then (the asker) */
	struct ns_endpoints ends; /* saddr/sport: this socket's side; daddr/dport: the DNS server's */
	__u32 wire_len;           /* the message's length (UDP payload; TCP: this segment's payload) */
	__u32 captured;           /* bytes of it in payload: min(wire_len, NS_DNS_PAYLOAD_LEN) */
	__u32 tcp_seq;            /* TCP: the segment's sequence number (user space puts a message's segments together); UDP: 0 */
	__u32 ingress;            /* 1: from the server (an answer), 0: to it (a query) */
	__u8 payload[NS_DNS_PAYLOAD_LEN];
};

/* Value of the socket map (key: kernel sock pointer); read by user space in batches. */
struct ns_sock_state {
	__u64 conn_id;
	__u64 start_ns;
	__u64 bytes_sent;
	__u64 bytes_received;
	struct ns_task task;
	__u32 flags; /* NS_SOCK_* */
	__u32 pad0;
	struct ns_endpoints ends;
};

/* Key of the UDP flow map: one flow per (process, destination). */
struct ns_udp_key {
	__u32 tgid;
	__u16 family;
	__u16 dport; /* network order */
	__u8 daddr[16];
};

/* Value of the UDP flow map. Only flows this host starts: a datagram to a peer that sent to this process
 * first (a server's reply) makes no flow. */
struct ns_udp_flow {
	__u64 conn_id;
	__u64 first_ns;
	__u64 bytes_sent;
	__u64 bytes_received;
	__u64 last_send_ns;     /* of the first datagram sent in the latest tick: the idle gap is measured from it */
	__u64 last_send_tick;   /* that tick (jiffies): a send within it reads no clock */
	__u64 packets_sent;     /* datagrams */
	__u64 packets_received;
	struct ns_task task; /* the thread that sent the first datagram */
	struct ns_endpoints ends;
};

_Static_assert(sizeof(struct ns_header) == 16, "ns_header size");
_Static_assert(sizeof(struct ns_task) == 40, "ns_task size");
_Static_assert(sizeof(struct ns_endpoints) == 40, "ns_endpoints size");
_Static_assert(sizeof(struct ns_sock_route) == 16, "ns_sock_route size");
_Static_assert(sizeof(struct ns_open_event) == 120, "ns_open_event size");
_Static_assert(sizeof(struct ns_close_event) == 136, "ns_close_event size");
_Static_assert(sizeof(struct ns_close_short_event) == 56, "ns_close_short_event size");
_Static_assert(sizeof(struct ns_exec_event) == 4440, "ns_exec_event size");
_Static_assert(sizeof(struct ns_exit_event) == 56, "ns_exit_event size");
_Static_assert(sizeof(struct ns_fork_event) == 72, "ns_fork_event size");
_Static_assert(sizeof(struct ns_dns_event) == 624, "ns_dns_event size");
_Static_assert(sizeof(struct ns_sock_state) == 120, "ns_sock_state size");
_Static_assert(sizeof(struct ns_udp_key) == 24, "ns_udp_key size");
_Static_assert(sizeof(struct ns_udp_flow) == 144, "ns_udp_flow size");

#endif
