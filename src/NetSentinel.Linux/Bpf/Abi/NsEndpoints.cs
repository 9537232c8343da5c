using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Abi;

/// <summary>Mirror of <c>struct ns_endpoints</c>. Ports and addresses are in network byte order.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NsEndpoints
{
    public ushort Sport;
    public ushort Dport;
    public ushort Family;
    public ushort Protocol;
    public fixed byte Saddr[16];
    public fixed byte Daddr[16];
}
