using System.Net;

namespace NetSentinel.Core.Model;

/// <summary>
/// The one normalized event every source produces (eBPF, polling, ETW). Nothing above the source
/// layer knows which kernel facility produced it.
/// Only outbound activity becomes an event: sources drop listening sockets and accepted inbound connections.
/// </summary>
public sealed record ConnectionEvent
{
    public required ConnectionEventKind Kind { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    /// <summary>Identity of the socket or flow, unique among live ones within a source.</summary>
    public required ulong ConnectionId { get; init; }
    public required Transport Transport { get; init; }
    public required IPEndPoint Local { get; init; }
    public required IPEndPoint Remote { get; init; }
    public required ProcessInfo Process { get; init; }
    /// <summary>Traffic: bytes in this interval. Closed: lifetime total. Opened: bytes already seen (usually 0).</summary>
    public long BytesSent { get; init; }
    public long BytesReceived { get; init; }
    /// <summary>Closed only: how long the connection lived.</summary>
    public TimeSpan Duration { get; init; }
    /// <summary>Closed only: the TCP handshake never completed (refused, timed out, reset): scans and dead C2 servers show up this way.</summary>
    public bool Failed { get; init; }
    /// <summary>
    /// Closed only: no close was seen; the source inferred the end (the flow left the kernel's table, vanished
    /// between two snapshots, or fell idle). Its totals are what was observed until then.
    /// </summary>
    public bool CloseInferred { get; init; }

    /// <summary>Names the process (or, failing that, any process) resolved to <see cref="Remote"/>; null when none is known.
    /// Filled by the pipeline from the DNS name cache, never by a reverse lookup.</summary>
    public Dns.DomainNames? Names { get; init; }

    public bool IsLoopback => IPAddress.IsLoopback(Remote.Address) || IPAddress.IsLoopback(Local.Address);
}
