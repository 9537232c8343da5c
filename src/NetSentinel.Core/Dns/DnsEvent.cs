using System.Net;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Dns;

/// <summary>
/// A DNS message a process sent (a query) or received (an answer), as any source sees it: the eBPF capture on
/// Linux, the DNS-Client ETW provider on Windows.
/// </summary>
public sealed record DnsEvent
{
    public required DateTimeOffset Timestamp { get; init; }
    /// <summary>The process that asked (see docs/detectors.md for who that is when a local resolver forwards).</summary>
    public required ProcessInfo Process { get; init; }
    public required Transport Transport { get; init; }
    /// <summary>The DNS server's address and port; null when the source does not say (ETW).</summary>
    public IPEndPoint? Server { get; init; }
    /// <summary>This host's end of the exchange, when known.</summary>
    public IPEndPoint? Local { get; init; }
    /// <summary>The parsed message; null when the packet was malformed (counted, never acted on).</summary>
    public DnsMessage? Message { get; init; }
}
