namespace NetSentinel.Linux.Bpf;

/// <summary>
/// One way of attaching every tracepoint hook in netsentinel.bpf.c, by preference:
/// <c>tp_btf</c> (the verifier knows the arguments' kernel types, so fields are plain loads) and
/// <c>raw_tp</c> (every field read is a bpf_probe_read_kernel call; the fallback for kernels that cannot
/// load BTF-typed programs). Neither needs trampolines; fentry (which does) fails with EPERM on the
/// development kernels and kprobes are absent there, so those are not built.
/// The loader tries each variant in order, keeps the first the kernel loads, and disables autoload of
/// every other variant's programs. The variants also differ in where DNS messages are copied
/// (<paramref name="DnsPerPacket"/>).
/// </summary>
/// <param name="Name">What the startup note and <c>NETSENTINEL_BPF_HOOKS</c> call it.</param>
/// <param name="ProgramSuffix">Appended to a hook's name to get this variant's program (SEC function) name.</param>
/// <param name="DnsPerPacket">
/// False: the send/recv tracepoint hooks copy DNS messages from the caller's buffers, for DNS sockets only (needs socket
/// storage and the task's registers from a tracepoint, which only BTF-typed programs have). True: cgroup_skb programs
/// copy them from packets, and every packet of the host passes through those programs.
/// </param>
internal sealed record BpfHookVariant(string Name, string ProgramSuffix, bool DnsPerPacket = false)
{
    public static BpfHookVariant TpBtf { get; } = new("tp_btf", "");

    public static BpfHookVariant RawTp { get; } = new("raw_tp", "_raw", DnsPerPacket: true);

    public static IReadOnlyList<BpfHookVariant> ByPreference { get; } = [TpBtf, RawTp];

    /// <summary>
    /// Every tracepoint hook: its program name in the tp_btf variant, and the tracepoint (for the startup note).
    /// A hook written in netsentinel.bpf.c as a body plus its two wrappers (ns_X on tp_btf/..., ns_X_raw on
    /// raw_tp/...) is one more entry here.
    /// </summary>
    public static IReadOnlyList<(string Program, string Tracepoint)> Tracepoints { get; } =
    [
        ("ns_tcp_state", "inet_sock_set_state"),
        ("ns_tcp_retransmit", "tcp_retransmit_skb"),
        ("ns_send_len", "sock_send_length"),
        ("ns_recv_len", "sock_recv_length"),
        ("ns_fork", "sched_process_fork"),
        ("ns_exec", "sched_process_exec"),
        ("ns_exit", "sched_process_exit"),
    ];

    /// <summary>
    /// Programs on the cgroup-v2 root in every variant, with their attach points (for the startup note): the destinations
    /// of unconnected UDP sends (sendmsg, which also marks a socket that sends to port 53 as a DNS client's) and the peers
    /// that sent to a process first (recvmsg: its answers to them are not outbound).
    /// </summary>
    public static IReadOnlyList<(string Program, string AttachPoint)> CgroupPrograms { get; } =
    [
        ("ns_udp_sendmsg4", "cgroup/sendmsg4"), ("ns_udp_sendmsg6", "cgroup/sendmsg6"),
        ("ns_udp_recvmsg4", "cgroup/recvmsg4"), ("ns_udp_recvmsg6", "cgroup/recvmsg6"),
    ];

    /// <summary>
    /// The per-packet DNS capture of a variant with <see cref="DnsPerPacket"/>: connect() to port 53 marks the socket,
    /// cgroup_skb copies its messages.
    /// </summary>
    public static IReadOnlyList<(string Program, string AttachPoint)> PacketDnsPrograms { get; } =
    [
        ("ns_dns_connect4", "cgroup/connect4"), ("ns_dns_connect6", "cgroup/connect6"),
        ("ns_dns_ingress", "cgroup_skb/ingress"), ("ns_dns_egress", "cgroup_skb/egress"),
    ];

    /// <summary>The environment variable that pins the variant (<c>raw_tp</c> to force the fallback), for comparisons and troubleshooting.</summary>
    public const string ForceVariable = "NETSENTINEL_BPF_HOOKS";

    /// <summary>This variant's program names, in <see cref="Tracepoints"/> order.</summary>
    public IEnumerable<string> Programs => Tracepoints.Select(t => t.Program + ProgramSuffix);

    /// <summary>This variant's programs on the cgroup-v2 root.</summary>
    public IReadOnlyList<(string Program, string AttachPoint)> CgroupProgramsToAttach =>
        DnsPerPacket ? [.. CgroupPrograms, .. PacketDnsPrograms] : CgroupPrograms;

    /// <summary>The startup note's words for where this variant copies DNS messages.</summary>
    public string DnsCaptureNote => DnsPerPacket
        ? "DNS messages copied from packets by cgroup_skb (every packet of the host passes through it: the raw_tp fallback has no socket storage in its tracepoint hooks)"
        : "DNS messages copied in sock_send_length/sock_recv_length from the buffers of sockets that sent to port 53 (no per-packet program)";

    /// <summary>The variants to try: all by preference, or only the one <paramref name="forced"/> names; null when it names none.</summary>
    public static IReadOnlyList<BpfHookVariant>? Candidates(string? forced)
    {
        if (string.IsNullOrWhiteSpace(forced)) return ByPreference;
        BpfHookVariant? only = ByPreference.FirstOrDefault(v => string.Equals(v.Name, forced.Trim(), StringComparison.OrdinalIgnoreCase));
        return only is null ? null : [only];
    }
}
