using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Bpf.Abi;

namespace NetSentinel.Linux.Bpf;

/// <summary>User-space state of one live TCP connection or UDP flow: who opened it and how many bytes were already reported.</summary>
internal sealed class TrackedFlow
{
    public required ulong ConnectionId { get; init; }
    public required Transport Transport { get; init; }
    public required IPEndPoint Local { get; set; }
    public required IPEndPoint Remote { get; init; }
    public required ProcessInfo Process { get; init; }
    public required ulong StartNs { get; init; }
    /// <summary>UDP only: the kernel flow-map key, to read and delete the flow when its process exits.</summary>
    public NsUdpKey UdpKey { get; init; }
    public long ReportedSent { get; set; }
    public long ReportedReceived { get; set; }
    /// <summary>Consecutive interval reads that did not find it in its map; after two it is considered gone.</summary>
    public int MissedReads { get; set; }
}
