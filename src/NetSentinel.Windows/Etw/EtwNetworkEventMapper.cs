using System.Net;
using NetSentinel.Core.Flows;
using NetSentinel.Core.Model;
using NetSentinel.Core.Sources;
using NetSentinel.Windows.Processes;

namespace NetSentinel.Windows.Etw;

/// <summary>
/// Turns kernel TcpIp/UdpIp records into <see cref="FlowLedger{TKey}"/> calls (keyed by <see cref="EtwFlowKey"/>),
/// which write the normalized event stream. Pure and single-threaded (the monitor thread), so it is tested on
/// Linux with hand-built records. It decides only what ETW alone knows: direction, and whether a handshake completed.
/// <list type="bullet">
/// <item>Connect → Opened. Accept marks the connection inbound: its traffic and close are dropped.</item>
/// <item>Send/Receive add to the ledger's per-connection counters that <see cref="EndInterval"/> reports as Traffic deltas.
/// Traffic on a TCP connection never seen opening (it predates the session) opens it first, unless its
/// local endpoint is a listener's learned by <see cref="Seed"/> (an inbound connection).</item>
/// <item>Disconnect → Traffic for unreported bytes, then Closed with lifetime totals.</item>
/// <item>Reconnect (a SYN retry) on an unknown connection is an outbound attempt in progress: Opened,
/// unconfirmed. If it is never confirmed it is closed as Failed after <c>failedAttemptTimeout</c>
/// (or at its Disconnect); this is how refused and timed-out connects (scans) show up, because the
/// kernel's TcpIp/Fail event carries no endpoints or pid.</item>
/// <item>UDP: the first Send of a (pid, local, remote) flow → Opened; a Receive on an unknown flow is
/// inbound and dropped; flows idle for <c>udpIdleTimeout</c> are Closed (inferred).</item>
/// <item>Retransmit and Other are ignored.</item>
/// </list>
/// Receive events name source and destination from the packet's point of view (source = peer);
/// which side is this host is decided by, in order: a connection already known in either orientation,
/// the one endpoint whose address is local, then the event's convention (receive: destination is local).
/// </summary>
internal sealed class EtwNetworkEventMapper
{
    public static readonly TimeSpan DefaultFailedAttemptTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultUdpIdleTimeout = TimeSpan.FromMinutes(2);
    public const int DefaultMaxTracked = 65536;

    private readonly IProcessInfoResolver _processes;
    private readonly Func<IPAddress, bool> _isLocalAddress;
    private readonly TimeSpan _failedAttemptTimeout;
    private readonly TimeSpan _udpIdleTimeout;
    private readonly int _maxTracked;
    private readonly FlowLedger<EtwFlowKey> _ledger;
    private readonly HashSet<EtwFlowKey> _inbound = new();
    private readonly IpHelper.TcpListeners _tcpListeners = new();
    private ulong _nextId = 1;
    private long _untrackedInbound;

    public EtwNetworkEventMapper(
        IProcessInfoResolver processes,
        Func<IPAddress, bool> isLocalAddress,
        TimeSpan? failedAttemptTimeout = null,
        TimeSpan? udpIdleTimeout = null,
        int maxTracked = DefaultMaxTracked,
        TimeProvider? clock = null)
    {
        _processes = processes;
        _isLocalAddress = isLocalAddress;
        _failedAttemptTimeout = failedAttemptTimeout ?? DefaultFailedAttemptTimeout;
        _udpIdleTimeout = udpIdleTimeout ?? DefaultUdpIdleTimeout;
        _maxTracked = maxTracked;
        _ledger = new FlowLedger<EtwFlowKey>(clock ?? TimeProvider.System, maxTracked);
    }

    /// <summary>New connections not tracked because a table was full (bounded memory); reported as lost.</summary>
    public long UntrackedConnections => _ledger.Untracked + _untrackedInbound;

    public int TrackedCount => _ledger.Count;

    /// <summary>Learns, from a snapshot taken as the session starts, which connections are inbound and which TCP endpoints
    /// listen, so traffic of connections older than the session is not mistaken for outbound.</summary>
    public void Seed(IEnumerable<ConnectionRecord> existing)
    {
        foreach (var record in existing)
        {
            if (record.Transport == Transport.Tcp && record.Direction == Direction.Listening) _tcpListeners.Add(record.Local);
            else if (record.Direction == Direction.Inbound && _inbound.Count < _maxTracked)
                _inbound.Add(new EtwFlowKey(record.Transport, record.Process.Pid, record.Local, record.Remote));
        }
    }

    public void Apply(in EtwNetworkRecord record, IConnectionEventSink sink)
    {
        switch (record.Opcode)
        {
            case EtwNetworkOpcode.Connect when record.Transport == Transport.Tcp:
                OnConnect(record, sink);
                break;
            case EtwNetworkOpcode.Accept when record.Transport == Transport.Tcp:
                OnAccept(record);
                break;
            case EtwNetworkOpcode.Send:
            case EtwNetworkOpcode.Receive:
                OnBytes(record, sink);
                break;
            case EtwNetworkOpcode.Disconnect when record.Transport == Transport.Tcp:
                OnEnd(record, sink, failed: false);
                break;
            case EtwNetworkOpcode.Fail when record.Transport == Transport.Tcp:
                OnEnd(record, sink, failed: true);
                break;
            case EtwNetworkOpcode.Reconnect when record.Transport == Transport.Tcp:
                OnReconnect(record, sink);
                break;
            default:
                break; // Retransmit, Other, and opcodes that make no sense for the transport
        }
    }

    /// <summary>One Traffic event per flow that moved bytes since the last call, then Closed (inferred) for failed attempts and idle UDP flows.</summary>
    public void EndInterval(DateTimeOffset now, IConnectionEventSink sink)
    {
        _ledger.ReportAll(now, sink);
        _ledger.CloseIdle(now, _udpIdleTimeout, _failedAttemptTimeout, sink);
    }

    private void OnConnect(in EtwNetworkRecord record, IConnectionEventSink sink)
    {
        var key = Orient(record);
        if (_inbound.Contains(key)) return;
        // Known: the attempt we saw retrying has now completed its handshake.
        var flow = _ledger.TryGet(key, out var known) ? known : Open(key, record.Timestamp, sink);
        if (flow is null) return;
        flow.Established = true;
        FlowLedger<EtwFlowKey>.Touch(flow, record.Timestamp);
    }

    private void OnAccept(in EtwNetworkRecord record)
    {
        var key = Orient(record);
        if (_inbound.Count < _maxTracked) _inbound.Add(key);
        else _untrackedInbound++;
    }

    private void OnBytes(in EtwNetworkRecord record, IConnectionEventSink sink)
    {
        var key = Orient(record);
        if (_inbound.Contains(key)) return;
        if (!_ledger.TryGet(key, out var flow))
        {
            // A datagram arriving on a flow we never sent on is someone else's request to us.
            if (key.Transport == Transport.Udp && record.Opcode == EtwNetworkOpcode.Receive) return;
            // A TCP connection older than the session: inbound if a listener holds its local endpoint.
            if (key.Transport == Transport.Tcp && _tcpListeners.Accepted(key.Local)) return;
            flow = Open(key, record.Timestamp, sink);
            if (flow is null) return;
        }
        long size = Math.Max(record.Size, 0);
        if (record.Opcode == EtwNetworkOpcode.Send) _ledger.Add(flow, size, 0, record.Timestamp);
        else _ledger.Add(flow, 0, size, record.Timestamp);
        flow.Established = true; // bytes only move on an established connection
    }

    private void OnEnd(in EtwNetworkRecord record, IConnectionEventSink sink, bool failed)
    {
        var key = Orient(record);
        if (_inbound.Remove(key)) return;
        if (!_ledger.TryGet(key, out var flow))
        {
            if (!failed) return; // the close of something we never saw carries nothing to score
            // A failed attempt we never saw start still counts as an attempt (scans).
            flow = Open(key, record.Timestamp, sink);
            if (flow is null) return;
        }
        failed |= !flow.Established;
        // A failed attempt ended at its last sign of life, not when the stack gave up on it.
        var end = failed && flow.LastActivity < record.Timestamp ? flow.LastActivity : record.Timestamp;
        _ledger.Close(flow, record.Timestamp, sink, failed, duration: end - flow.OpenedAt);
    }

    private void OnReconnect(in EtwNetworkRecord record, IConnectionEventSink sink)
    {
        var key = Orient(record);
        if (_inbound.Contains(key)) return;
        if (_ledger.TryGet(key, out var flow))
        {
            FlowLedger<EtwFlowKey>.Touch(flow, record.Timestamp);
            return;
        }
        Open(key, record.Timestamp, sink); // unconfirmed until Connect or bytes arrive
    }

    private Flow<EtwFlowKey>? Open(EtwFlowKey key, DateTimeOffset timestamp, IConnectionEventSink sink)
    {
        if (!_ledger.AdmitNew()) return null;
        var process = key.ProcessId <= 0
            ? ProcessInfo.Unknown
            : _processes.Resolve(key.ProcessId) with { IdentifiedBy = AttributionSource.Etw };
        return _ledger.Open(key, _nextId++, key.Transport, key.Local, key.Remote, process, timestamp, sink);
    }

    /// <summary>Which endpoint of the record is this host (see the class comment for the order of evidence).</summary>
    private EtwFlowKey Orient(in EtwNetworkRecord record)
    {
        var source = new IPEndPoint(record.SourceAddress, record.SourcePort);
        var destination = new IPEndPoint(record.DestinationAddress, record.DestinationPort);
        var asNamed = new EtwFlowKey(record.Transport, record.ProcessId, source, destination);
        var swapped = new EtwFlowKey(record.Transport, record.ProcessId, destination, source);
        if (IsKnown(asNamed)) return asNamed;
        if (IsKnown(swapped)) return swapped;
        bool sourceLocal = _isLocalAddress(record.SourceAddress);
        bool destinationLocal = _isLocalAddress(record.DestinationAddress);
        if (sourceLocal != destinationLocal) return sourceLocal ? asNamed : swapped;
        return record.Opcode == EtwNetworkOpcode.Receive ? swapped : asNamed;
    }

    private bool IsKnown(EtwFlowKey key) => _ledger.TryGet(key, out _) || _inbound.Contains(key);
}
