using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Abi;

/// <summary>Mirror of <c>struct ns_udp_key</c>: one UDP flow per (process, destination).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NsUdpKey
{
    public uint Tgid;
    public ushort Family;
    public ushort Dport;
    public fixed byte Daddr[16];
}
