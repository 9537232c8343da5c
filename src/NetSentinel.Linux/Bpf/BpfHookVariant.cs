namespace NetSentinel.Linux.Bpf;

/// <summary>
/// One way of hooking TCP connection state and byte counts, by preference: fentry (cheapest, needs BTF
/// trampolines), kprobe, raw tracepoints. The loader tries each in order and keeps the first the kernel
/// accepts; the programs of the others are not loaded (bpf_program__set_autoload(false)).
/// </summary>
/// <param name="Name">What the startup note calls it.</param>
/// <param name="Programs">The BPF program names (SEC functions in netsentinel.bpf.c) this variant needs.</param>
internal sealed record BpfHookVariant(string Name, IReadOnlyList<string> Programs)
{
    /// <summary>
    /// Only the raw tracepoint variant exists in netsentinel.bpf.c today: fentry/fexit fails with EPERM and
    /// kprobes are absent (no CONFIG_KPROBES) on the development kernels, so the other variants could not be
    /// tested. A new variant is one more entry here plus its programs.
    /// </summary>
    public static IReadOnlyList<BpfHookVariant> ByPreference { get; } =
    [
        new("raw_tp (inet_sock_set_state, sock_send_length, sock_recv_length)", ["ns_tcp_state", "ns_send_len", "ns_recv_len"]),
    ];

    /// <summary>Programs every variant loads: process tracking (raw_tp) and UDP destinations (cgroup).</summary>
    public static IReadOnlyList<string> ProcessPrograms { get; } = ["ns_exec", "ns_exit"];

    /// <summary>UDP destinations (sendmsg), and DNS capture: connect/sendmsg to port 53 mark the socket, cgroup_skb copies its DNS messages.</summary>
    public static IReadOnlyList<string> CgroupPrograms { get; } =
        ["ns_udp_sendmsg4", "ns_udp_sendmsg6", "ns_dns_connect4", "ns_dns_connect6", "ns_dns_ingress", "ns_dns_egress"];
}
