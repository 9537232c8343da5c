using System.Net;

namespace NetSentinel.Core.Model;

/// <summary>
/// The one normalized event every source produces (eBPF, polling, ETW). Nothing above the source
/// layer knows which kernel facility produced it.
/// Only outbound activity becomes an event: sources drop listening sockets and accepted inbound connections.
/// Immutable to everyone outside this assembly. Inside it, the <see cref="Flows.FlowLedger{TKey}"/> may rewrite one
/// instance for each event it hands a sink that keeps none (<see cref="Sources.IConnectionEventSink.KeepsNoEvent"/>),
/// so a connect storm allocates no event per connection; the properties have plain fields for that alone.
/// </summary>
public sealed record ConnectionEvent
{
    private ConnectionEventKind _kind;
    private DateTimeOffset _timestamp;
    private ulong _connectionId;
    private Transport _transport;
    private IPEndPoint _local = null!;
    private IPEndPoint _remote = null!;
    private ProcessInfo _process = null!;
    private long _bytesSent;
    private long _bytesReceived;
    private TimeSpan _duration;
    private bool _failed;
    private bool _closeInferred;
    private long _unreportedSent;
    private long _unreportedReceived;
    private Dns.DomainNames? _names;

    public required ConnectionEventKind Kind { get => _kind; init => _kind = value; }
    public required DateTimeOffset Timestamp { get => _timestamp; init => _timestamp = value; }
    /// <summary>Identity of the socket or flow, unique among live ones within a source.</summary>
    public required ulong ConnectionId { get => _connectionId; init => _connectionId = value; }
    public required Transport Transport { get => _transport; init => _transport = value; }
    public required IPEndPoint Local { get => _local; init => _local = value; }
    public required IPEndPoint Remote { get => _remote; init => _remote = value; }
    public required ProcessInfo Process { get => _process; init => _process = value; }
    /// <summary>Traffic: bytes in this interval. Closed: lifetime total. Opened: bytes already seen (usually 0).</summary>
    public long BytesSent { get => _bytesSent; init => _bytesSent = value; }
    public long BytesReceived { get => _bytesReceived; init => _bytesReceived = value; }
    /// <summary>Closed only: how long the connection lived.</summary>
    public TimeSpan Duration { get => _duration; init => _duration = value; }
    /// <summary>Closed only: the TCP handshake never completed (refused, timed out, reset): scans and dead C2 servers show up this way.</summary>
    public bool Failed { get => _failed; init => _failed = value; }
    /// <summary>
    /// Closed only: no close was seen; the source inferred the end (the flow left the kernel's table, vanished
    /// between two snapshots, or fell idle). Its totals are what was observed until then.
    /// </summary>
    public bool CloseInferred { get => _closeInferred; init => _closeInferred = value; }

    /// <summary>
    /// Closed only: the part of <see cref="BytesSent"/> no Traffic event reported before (the flow's last delta, carried
    /// by its close rather than by a Traffic event of its own, so a connection that moved bytes is two events, not three).
    /// </summary>
    public long UnreportedSent { get => _unreportedSent; init => _unreportedSent = value; }
    public long UnreportedReceived { get => _unreportedReceived; init => _unreportedReceived = value; }

    /// <summary>The bytes this event adds to its flow's traffic: a Traffic event's delta, a close's unreported remainder, else 0.
    /// What per-interval sums and traffic rules count, so Traffic deltas plus the close's remainder are the flow's totals.</summary>
    public long DeltaSent => Kind switch { ConnectionEventKind.Traffic => BytesSent, ConnectionEventKind.Closed => UnreportedSent, _ => 0 };
    public long DeltaReceived => Kind switch { ConnectionEventKind.Traffic => BytesReceived, ConnectionEventKind.Closed => UnreportedReceived, _ => 0 };

    /// <summary>Names the process (or, failing that, any process) resolved to <see cref="Remote"/>; null when none is known.
    /// Filled by the pipeline from the DNS name cache, never by a reverse lookup.</summary>
    public Dns.DomainNames? Names { get => _names; init => _names = value; }

    public bool IsLoopback => IPAddress.IsLoopback(Remote.Address) || IPAddress.IsLoopback(Local.Address);

    /// <summary>
    /// Rewrites every field: the ledger's one reused event (see the type's summary). A reference field is stored only when it
    /// changes: each store is a GC write barrier, and a storm's events mostly share their remote endpoint and process.
    /// </summary>
    internal void Rewrite(ConnectionEventKind kind, DateTimeOffset timestamp, ulong connectionId, Transport transport, IPEndPoint local,
        IPEndPoint remote, ProcessInfo process, long bytesSent, long bytesReceived, TimeSpan duration, bool failed, bool closeInferred,
        long unreportedSent, long unreportedReceived)
    {
        _kind = kind;
        _timestamp = timestamp;
        _connectionId = connectionId;
        _transport = transport;
        if (!ReferenceEquals(_local, local)) _local = local;
        if (!ReferenceEquals(_remote, remote)) _remote = remote;
        if (!ReferenceEquals(_process, process)) _process = process;
        _bytesSent = bytesSent;
        _bytesReceived = bytesReceived;
        _duration = duration;
        _failed = failed;
        _closeInferred = closeInferred;
        _unreportedSent = unreportedSent;
        _unreportedReceived = unreportedReceived;
        if (_names is not null) _names = null;
    }
}
