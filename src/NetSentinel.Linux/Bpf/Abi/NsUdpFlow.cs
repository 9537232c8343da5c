using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Abi;

/// <summary>Mirror of <c>struct ns_udp_flow</c>: a value of the UDP flow map.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NsUdpFlow
{
    public ulong ConnId;
    public ulong FirstNs;
    public ulong BytesSent;
    public ulong BytesReceived;
    public ulong LastSendNs;
    public ulong LastSendTick;
    public ulong PacketsSent;
    public ulong PacketsReceived;
    public NsTask Task;
    public NsEndpoints Ends;
}
