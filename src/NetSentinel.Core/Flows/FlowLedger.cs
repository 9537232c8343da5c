using System.Diagnostics.CodeAnalysis;
using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Core.Sources;

namespace NetSentinel.Core.Flows;

/// <summary>
/// The life of every connection and flow a source reports, kept in one place for every platform. A source
/// translates its own records (ring-buffer records, ETW events, snapshots) into calls here, and the ledger
/// writes the normalized events, keeping the promise <see cref="IConnectionSource"/> makes:
/// <list type="bullet">
/// <item>each flow's events are Opened, then Traffic deltas, then one Closed; a close is never reported for a flow never opened;</item>
/// <item>Closed carries the bytes not yet reported (<see cref="ConnectionEvent.UnreportedSent"/>, its last delta) beside its
/// lifetime totals, so Traffic deltas plus that remainder sum to the Closed totals; a close is one event, not a Traffic and a Closed;</item>
/// <item>counters only grow: a source hands over cumulative totals (<see cref="Observe"/>) or increments (<see cref="Add"/>), the ledger computes deltas;</item>
/// <item>endpoints are normalised once, at open (<see cref="CanonicalAddress"/>);</item>
/// <item>one clock: <see cref="Clock"/>, which sources convert their own timestamps through;</item>
/// <item>a flow that vanished without a close (evicted from a kernel map, gone from a table, idle) closes as
/// <see cref="ConnectionEvent.CloseInferred"/>.</item>
/// </list>
/// Single-threaded (the monitor's thread). Cheap per event: no LINQ; in a steady state no allocation at all — closed flows
/// are reused for new ones (up to <see cref="PooledFlows"/> wait), and a sink that keeps no event
/// (<see cref="IConnectionEventSink.KeepsNoEvent"/>, the detection pipeline when it does not log connections) is handed
/// one event object rewritten each time; any other sink gets a new event each time.
/// </summary>
public sealed class FlowLedger<TKey> where TKey : notnull
{
    public const int DefaultCapacity = 65536;

    /// <summary>Closed flows kept for reuse: what a storm closes between two opens, far above it, a bounded few KB.</summary>
    public const int PooledFlows = 256;

    private readonly Dictionary<TKey, Flow<TKey>> _flows = [];
    private readonly List<Flow<TKey>> _ending = [];
    private readonly Stack<Flow<TKey>> _closed = new(PooledFlows);
    private readonly ConnectionEvent _reused = new()
    {
        Kind = ConnectionEventKind.Opened,
        Timestamp = default,
        ConnectionId = 0,
        Transport = Transport.Tcp,
        Local = new IPEndPoint(IPAddress.Any, 0),
        Remote = new IPEndPoint(IPAddress.Any, 0),
        Process = ProcessInfo.Unknown,
    };
    private readonly int _capacity;
    private uint _sweep;

    public FlowLedger(TimeProvider clock, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Clock = clock;
        _capacity = capacity;
    }

    /// <summary>The one clock of this event stream.</summary>
    public TimeProvider Clock { get; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    public int Count => _flows.Count;

    /// <summary>Flows not tracked because the ledger was full (bounded memory): the source reports them as lost.</summary>
    public long Untracked { get; private set; }

    /// <summary>The live flows (enumerates without allocating; do not open or close while enumerating).</summary>
    public Dictionary<TKey, Flow<TKey>>.ValueCollection Flows => _flows.Values;

    /// <summary>
    /// False, and counted in <see cref="Untracked"/>, when a new flow would not fit: lets a source skip costly work
    /// (resolving a process) for a flow it cannot track. <see cref="Open"/> checks again.
    /// </summary>
    public bool AdmitNew()
    {
        if (_flows.Count < _capacity) return true;
        Untracked++;
        return false;
    }

    public bool TryGet(TKey key, [MaybeNullWhen(false)] out Flow<TKey> flow) => _flows.TryGetValue(key, out flow);

    /// <summary>
    /// Starts tracking a flow and writes its Opened event. Counters already non-zero (a flow first seen mid-life)
    /// set the reference point: those bytes were moved at an unknown time and are not reported as traffic.
    /// Returns the flow already open under <paramref name="key"/> if there is one (no second Opened), and null
    /// when the ledger is full (counted in <see cref="Untracked"/>).
    /// </summary>
    public Flow<TKey>? Open(TKey key, ulong id, Transport transport, IPEndPoint local, IPEndPoint remote, ProcessInfo process,
                            DateTimeOffset when, IConnectionEventSink sink, long sentSoFar = 0, long receivedSoFar = 0)
    {
        if (_flows.TryGetValue(key, out Flow<TKey>? existing)) return existing;
        if (_flows.Count >= _capacity)
        {
            Untracked++;
            return null;
        }
        (local, remote) = (CanonicalAddress.Of(local), CanonicalAddress.Of(remote));
        Flow<TKey> flow;
        if (_closed.TryPop(out Flow<TKey>? reused))
        {
            flow = reused;
            flow.Start(key, id, transport, local, remote, process, when);
        }
        else
        {
            flow = new Flow<TKey>(key, id, transport, local, remote, process, when);
        }
        flow.ObservedSent = flow.ReportedSent = Math.Max(sentSoFar, 0);
        flow.ObservedReceived = flow.ReportedReceived = Math.Max(receivedSoFar, 0);
        flow.SeenInSweep = _sweep;
        _flows.Add(key, flow);
        sink.OnEvent(Event(sink, ConnectionEventKind.Opened, flow, when, 0, 0));
        return flow;
    }

    /// <summary>Cumulative counters as the source reads them (kernel map, tcp_info): a smaller value than already seen is ignored.</summary>
    public void Observe(Flow<TKey> flow, long totalSent, long totalReceived, DateTimeOffset when)
    {
        bool grew = false;
        if (totalSent > flow.ObservedSent) { flow.ObservedSent = totalSent; grew = true; }
        if (totalReceived > flow.ObservedReceived) { flow.ObservedReceived = totalReceived; grew = true; }
        if (grew) Touch(flow, when);
    }

    /// <summary>Bytes moved by one send or receive, as event-per-packet sources (ETW) see them.</summary>
    public void Add(Flow<TKey> flow, long sent, long received, DateTimeOffset when)
    {
        flow.ObservedSent += Math.Max(sent, 0);
        flow.ObservedReceived += Math.Max(received, 0);
        Touch(flow, when);
    }

    /// <summary>Writes a Resumed event: the flow (UDP) sent again after an idle gap, a new session of a flow already open.</summary>
    public static void Resume(Flow<TKey> flow, DateTimeOffset when, IConnectionEventSink sink)
    {
        Touch(flow, when);
        sink.OnEvent(Event(ConnectionEventKind.Resumed, flow, when, 0, 0));
    }

    /// <summary>A sign of life that moved no bytes (a handshake retry, a connect completing).</summary>
    public static void Touch(Flow<TKey> flow, DateTimeOffset when)
    {
        if (when > flow.LastActivity) flow.LastActivity = when;
    }

    /// <summary>Writes one Traffic event for the bytes observed but not yet reported, if any.</summary>
    public void Report(Flow<TKey> flow, DateTimeOffset when, IConnectionEventSink sink)
    {
        long sent = flow.ObservedSent - flow.ReportedSent;
        long received = flow.ObservedReceived - flow.ReportedReceived;
        if (sent <= 0 && received <= 0) return;
        flow.ReportedSent = flow.ObservedSent;
        flow.ReportedReceived = flow.ObservedReceived;
        sink.OnEvent(Event(sink, ConnectionEventKind.Traffic, flow, when, Math.Max(sent, 0), Math.Max(received, 0)));
    }

    /// <summary><see cref="Report"/> for every live flow: the end of an interval.</summary>
    public void ReportAll(DateTimeOffset when, IConnectionEventSink sink)
    {
        foreach (Flow<TKey> flow in _flows.Values) Report(flow, when, sink);
    }

    /// <summary>
    /// Ends a flow: one Closed event with lifetime totals and the bytes not yet reported in a Traffic event. <paramref name="duration"/>
    /// defaults to open-to-<paramref name="when"/>; <paramref name="inferred"/> says no close was seen.
    /// A flow already closed is left alone.
    /// </summary>
    public void Close(Flow<TKey> flow, DateTimeOffset when, IConnectionEventSink sink, bool failed = false, TimeSpan? duration = null, bool inferred = false)
    {
        if (flow.IsClosed) return;
        long unreportedSent = Math.Max(flow.ObservedSent - flow.ReportedSent, 0);
        long unreportedReceived = Math.Max(flow.ObservedReceived - flow.ReportedReceived, 0);
        flow.ReportedSent = flow.ObservedSent;
        flow.ReportedReceived = flow.ObservedReceived;
        flow.IsClosed = true;
        _flows.Remove(flow.Key);
        sink.OnEvent(Event(sink, ConnectionEventKind.Closed, flow, when, flow.ReportedSent, flow.ReportedReceived,
                           duration ?? Max(when - flow.OpenedAt, TimeSpan.Zero), failed, inferred, unreportedSent, unreportedReceived));
        if (_closed.Count < PooledFlows) _closed.Push(flow);
    }

    /// <summary>Starts a pass over the source's table of live flows; mark each one found with <see cref="MarkSeen"/>.</summary>
    public void BeginSweep() => _sweep++;

    /// <summary>False when the flow was already seen in this sweep (or opened in it): a table listing one socket twice.</summary>
    public bool MarkSeen(Flow<TKey> flow)
    {
        if (flow.SeenInSweep == _sweep) return false;
        flow.SeenInSweep = _sweep;
        flow.MissedSweeps = 0;
        return true;
    }

    /// <summary>
    /// Closes, as inferred, every flow missing from <paramref name="missesAllowed"/> consecutive sweeps: it left the
    /// table without a close we saw (LRU eviction, a lost close record, a socket gone between two snapshots).
    /// It ends now, with the bytes already observed; <paramref name="failedUnlessEstablished"/> closes a TCP flow never
    /// known to be established as Failed (a snapshot that last saw it in SYN_SENT).
    /// </summary>
    public void EvictUnseen(int missesAllowed, DateTimeOffset when, IConnectionEventSink sink, bool failedUnlessEstablished = false)
    {
        _ending.Clear();
        foreach (Flow<TKey> flow in _flows.Values)
            if (flow.SeenInSweep != _sweep && ++flow.MissedSweeps >= missesAllowed) _ending.Add(flow);
        foreach (Flow<TKey> flow in _ending)
            Close(flow, when, sink, failed: failedUnlessEstablished && flow.Transport == Transport.Tcp && !flow.Established, inferred: true);
        _ending.Clear();
    }

    /// <summary>
    /// Closes, as inferred, UDP flows silent for <paramref name="udpIdle"/> and TCP attempts never known to be
    /// established for <paramref name="unestablishedTcpIdle"/> (those close as Failed: how scans show up on sources
    /// that never see a failed connect). Each ends at its last sign of life.
    /// </summary>
    public void CloseIdle(DateTimeOffset now, TimeSpan udpIdle, TimeSpan unestablishedTcpIdle, IConnectionEventSink sink)
    {
        _ending.Clear();
        foreach (Flow<TKey> flow in _flows.Values)
        {
            TimeSpan idle = now - flow.LastActivity;
            if (flow.Transport == Transport.Udp ? idle >= udpIdle : !flow.Established && idle >= unestablishedTcpIdle) _ending.Add(flow);
        }
        foreach (Flow<TKey> flow in _ending)
            Close(flow, now, sink, failed: flow.Transport == Transport.Tcp, duration: Min(now, flow.LastActivity) - flow.OpenedAt, inferred: true);
        _ending.Clear();
    }

    /// <summary>The one place an event is built from a flow: the reused one for a sink that keeps none, else a new one.</summary>
    private ConnectionEvent Event(
        IConnectionEventSink sink, ConnectionEventKind kind, Flow<TKey> flow, DateTimeOffset when, long sent, long received,
        TimeSpan duration = default, bool failed = false, bool inferred = false, long unreportedSent = 0, long unreportedReceived = 0)
    {
        if (!sink.KeepsNoEvent) return Event(kind, flow, when, sent, received, duration, failed, inferred, unreportedSent, unreportedReceived);
        _reused.Rewrite(kind, when, flow.Id, flow.Transport, flow.Local, flow.Remote, flow.Process, sent, received, duration, failed, inferred,
                        unreportedSent, unreportedReceived);
        return _reused;
    }

    private static ConnectionEvent Event(
        ConnectionEventKind kind, Flow<TKey> flow, DateTimeOffset when, long sent, long received,
        TimeSpan duration = default, bool failed = false, bool inferred = false, long unreportedSent = 0, long unreportedReceived = 0)
    {
        return new ConnectionEvent
        {
            Kind = kind,
            Timestamp = when,
            ConnectionId = flow.Id,
            Transport = flow.Transport,
            Local = flow.Local,
            Remote = flow.Remote,
            Process = flow.Process,
            BytesSent = sent,
            BytesReceived = received,
            Duration = duration,
            Failed = failed,
            CloseInferred = inferred,
            UnreportedSent = unreportedSent,
            UnreportedReceived = unreportedReceived,
        };
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
