using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Abi;

/// <summary>Mirror of <c>struct ns_dns_event</c>: a DNS message on a socket that sent to port 53.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NsDnsEvent
{
    public NsHeader Header;
    public NsTask Task;
    public NsEndpoints Ends;
    public uint WireLen;
    public uint Captured;
    public uint TcpSeq;
    public uint Ingress;
    public fixed byte Payload[NsAbi.DnsPayloadLength];
}
