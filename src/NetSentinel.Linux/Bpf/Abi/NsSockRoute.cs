using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Abi;

/// <summary>
/// Mirror of <c>struct ns_sock_route</c>: what the kernel's route lookup for a UDP socket's datagrams depends on besides
/// the destination and ports (its network namespace, bound device, mark and owner), read when the flow is born.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NsSockRoute
{
    /// <summary>Inode number of the socket's network namespace; 0 when not read (every record but a new UDP flow).</summary>
    public uint Netns;
    public uint BoundDevIf;
    public uint Mark;
    public uint Uid;
}
