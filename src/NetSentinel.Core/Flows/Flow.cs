using System.Diagnostics.CodeAnalysis;
using System.Net;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Flows;

/// <summary>
/// One live connection or UDP flow as the <see cref="FlowLedger{TKey}"/> keeps it between events: who opened it,
/// what the source has observed of its byte counters, and how much of that was already reported.
/// Only the ledger changes the counters; a source reads them and sets what it alone knows (<see cref="Established"/>,
/// a late-known local port).
/// Once closed, a flow is the ledger's again: it reuses the object for a later flow (a connect storm allocates none),
/// so a caller drops its reference when it closes one.
/// </summary>
public sealed class Flow<TKey> where TKey : notnull
{
    internal Flow(TKey key, ulong id, Transport transport, IPEndPoint local, IPEndPoint remote, ProcessInfo process, DateTimeOffset openedAt) =>
        Start(key, id, transport, local, remote, process, openedAt);

    /// <summary>Makes this object a new flow (every field set): at construction, and when the ledger reuses a closed one.</summary>
    [MemberNotNull(nameof(Key), nameof(Local), nameof(Remote), nameof(Process))]
    internal void Start(TKey key, ulong id, Transport transport, IPEndPoint local, IPEndPoint remote, ProcessInfo process, DateTimeOffset openedAt)
    {
        Key = key;
        Id = id;
        Transport = transport;
        // A reused flow mostly keeps its remote endpoint and process (a storm's): a reference is stored only when it
        // changes, since each store is a GC write barrier.
        if (!ReferenceEquals(Local, local)) Local = local;
        if (!ReferenceEquals(Remote, remote)) Remote = remote;
        if (!ReferenceEquals(Process, process)) Process = process;
        OpenedAt = openedAt;
        LastActivity = openedAt;
        Established = false;
        ObservedSent = ObservedReceived = ReportedSent = ReportedReceived = 0;
        MissedSweeps = 0;
        SeenInSweep = 0;
        IsClosed = false;
    }

    public TKey Key { get; private set; }
    /// <summary>The <see cref="ConnectionEvent.ConnectionId"/> of every event of this flow.</summary>
    public ulong Id { get; private set; }
    public Transport Transport { get; private set; }
    /// <summary>Settable because a TCP socket's local port is picked by the kernel after its connect was reported.</summary>
    public IPEndPoint Local { get; private set; }
    public IPEndPoint Remote { get; private set; }
    public ProcessInfo Process { get; private set; }
    public DateTimeOffset OpenedAt { get; private set; }
    /// <summary>When its counters last grew (or it opened): an idle flow's end, when no close is ever seen.</summary>
    public DateTimeOffset LastActivity { get; internal set; }
    /// <summary>TCP: the handshake is known to have completed. A flow that closes without it closes as Failed.</summary>
    public bool Established { get; set; }

    /// <summary>Bytes the source has seen so far (cumulative, never decreasing).</summary>
    public long ObservedSent { get; internal set; }
    public long ObservedReceived { get; internal set; }
    /// <summary>Bytes already delivered in Traffic events (or, for a flow first seen mid-life, the reference point).</summary>
    public long ReportedSent { get; internal set; }
    public long ReportedReceived { get; internal set; }

    internal int MissedSweeps { get; set; }
    internal uint SeenInSweep { get; set; }
    internal bool IsClosed { get; set; }

    /// <summary>Fills in the local endpoint once the kernel has picked its port; the address is normalised like at open.</summary>
    public void LearnLocal(IPEndPoint local)
    {
        if (Local.Port == 0 && local.Port != 0) Local = CanonicalAddress.Of(local);
    }
}
