using System.Net;
using NetSentinel.Core.Dns;
using NetSentinel.Core.Flows;
using NetSentinel.Core.Model;
using NetSentinel.Core.Sources;
using NetSentinel.Linux.Bpf.Abi;
using NetSentinel.Linux.Routing;

namespace NetSentinel.Linux.Bpf;

/// <summary>
/// Turns decoded kernel records and map reads into <see cref="FlowLedger{TKey}"/> calls (keyed by the kernel's
/// conn_id). Pure apart from the process catalog's /proc cache and the UDP flow map it is handed, so every
/// path — a lost open, a UDP flow outliving its process, map eviction, out-of-order exec/exit — is tested
/// without root. Single-threaded: the monitor's thread.
/// </summary>
public sealed class BpfEventTranslator
{
    /// <summary>Interval reads a flow may be missing from its map before it is closed as evicted.</summary>
    private const int MissesBeforeEviction = 2;

    private readonly FlowLedger<ulong> _ledger;
    private readonly ProcessCatalog _processes;
    private readonly IUdpFlowTable _udpFlows;
    private readonly IRouteSourceResolver? _routes;
    private readonly KernelClock _clock;
    private readonly Dictionary<uint, List<UdpFlowRef>> _udpFlowsByTgid = [];
    private readonly TcpDnsReassembler _tcpDns = new();
    private readonly RecentAddresses _addresses = new();

    /// <param name="routes">Tells the source address the kernel picks for an unbound UDP socket; none: such flows have no source address.</param>
    internal BpfEventTranslator(FlowLedger<ulong> ledger, ProcessCatalog processes, IUdpFlowTable udpFlows, IRouteSourceResolver? routes = null)
    {
        _ledger = ledger;
        _processes = processes;
        _udpFlows = udpFlows;
        _routes = routes;
        _clock = new KernelClock(ledger.Clock);
    }

    /// <summary>Live flows (for tests and diagnostics).</summary>
    public int TrackedCount => _ledger.Count;

    /// <summary>Flows not tracked because the ledger was full.</summary>
    public long Untracked => _ledger.Untracked;

    internal void OnOpen(in NsOpenEvent open, Transport transport, IConnectionEventSink sink)
    {
        var (local, remote) = _addresses.Endpoints(open.Ends);
        if (transport == Transport.Udp) local = WithKernelSource(open, local, remote);
        ProcessInfo process = _processes.Describe(open.Task, open.Header.TimestampNs);
        Flow<ulong>? flow = _ledger.Open(open.ConnId, open.ConnId, transport, local, remote, process, _clock.ToWallClock(open.Header.TimestampNs), sink);
        if (flow is null || transport != Transport.Udp) return;

        uint tgid = open.Task.Tgid;
        if (!_udpFlowsByTgid.TryGetValue(tgid, out List<UdpFlowRef>? flows)) _udpFlowsByTgid[tgid] = flows = [];
        flows.Add(new UdpFlowRef(open.ConnId, UdpKeyOf(open)));
        // Records are drained in reservation order, not timestamp order: when this process's exit was drained
        // first, nothing will end the flow later.
        if (_processes.ExitedAt(tgid) is ulong exitNs && exitNs >= open.Header.TimestampNs) EndUdpFlows(tgid, exitNs, sink);
    }

    /// <summary>A UDP flow sent again after the kernel's idle gap: a new session. A flow not known here (its open record was lost) opens now.</summary>
    internal void OnUdpResumed(in NsOpenEvent resumed, IConnectionEventSink sink)
    {
        if (_ledger.TryGet(resumed.ConnId, out Flow<ulong>? flow))
            FlowLedger<ulong>.Resume(flow, _clock.ToWallClock(resumed.Header.TimestampNs), sink);
        else
            OnOpen(resumed, Transport.Udp, sink);
    }

    /// <summary>
    /// The close of a connection whose connect record was written (nearly every close): the record carries only what
    /// the connect record did not say, and the flow is found by conn_id. A flow not known here was never tracked (the
    /// ledger was full when its connect record came, counted in <see cref="Untracked"/>) or was already closed as
    /// inferred: the record has no identity to open it with, and nothing is reported.
    /// </summary>
    internal void OnClose(in NsCloseShortEvent close, IConnectionEventSink sink)
    {
        if (!_ledger.TryGet(close.ConnId, out Flow<ulong>? flow)) return;
        End(flow, close.Header.TimestampNs, close.DurationNs, close.BytesSent, close.BytesReceived, close.Flags, sink);
    }

    /// <summary>
    /// The close of a connect whose connect record was not written (refused before it, or the ring had no room for
    /// it): the record carries the identity captured at connect time, so the connection opens late, when it began.
    /// </summary>
    internal void OnClose(in NsCloseEvent close, IConnectionEventSink sink)
    {
        if (_ledger.TryGet(close.ConnId, out Flow<ulong>? flow))
        {
            if (flow.Local.Port == 0) flow.LearnLocal(_addresses.Endpoints(close.Ends).Local);
        }
        else
        {
            var (local, remote) = _addresses.Endpoints(close.Ends);
            DateTimeOffset began = _clock.ToWallClock(close.Header.TimestampNs) - Duration(close.DurationNs);
            flow = _ledger.Open(close.ConnId, close.ConnId, Transport.Tcp, local, remote, _processes.Describe(close.Task, close.Header.TimestampNs), began, sink);
            if (flow is null) return;
        }
        End(flow, close.Header.TimestampNs, close.DurationNs, close.BytesSent, close.BytesReceived, close.Flags, sink);
    }

    private void End(Flow<ulong> flow, ulong timestampNs, ulong durationNs, ulong sent, ulong received, uint flags, IConnectionEventSink sink)
    {
        DateTimeOffset when = _clock.ToWallClock(timestampNs);
        _ledger.Observe(flow, (long)sent, (long)received, when);
        _ledger.Close(flow, when, sink, failed: (flags & NsAbi.CloseEstablished) == 0, duration: Duration(durationNs));
    }

    private static TimeSpan Duration(ulong ns) => TimeSpan.FromTicks((long)(ns / 100));

    /// <summary>A new process: it names the parent that started it, even once re-parented.</summary>
    internal void OnFork(in NsForkEvent fork) => _processes.OnFork(fork.ChildTgid, fork.Task.Tgid, fork.Header.TimestampNs, fork.ChildStartBoottimeNs);

    /// <summary>An exec record: its fixed part and the argv bytes that follow it in the record.</summary>
    internal void OnExec(in NsExecEvent exec, ReadOnlySpan<byte> argv) =>
        _processes.OnExec(exec.Task.Tgid, exec.Task.Ppid, BpfText.Comm(exec.Task, _processes.Text), ExecIdentity.From(exec, argv, _processes.Text), exec.Header.TimestampNs);

    /// <summary>A process's UDP flows end with it (UDP has no close), with their final counters from the kernel map.</summary>
    internal void OnExit(in NsExitEvent exit, IConnectionEventSink sink)
    {
        _processes.OnExit(exit.Task.Tgid, exit.Header.TimestampNs);
        EndUdpFlows(exit.Task.Tgid, exit.Header.TimestampNs, sink);
        ReportEnded(sink);
    }

    /// <summary>Processes the catalog forgot: their records are all in, so the pipeline may drop what it keeps of them.</summary>
    private void ReportEnded(IConnectionEventSink sink)
    {
        if (_processes.Ended.Count == 0) return;
        foreach (var (tgid, exitNs) in _processes.Ended) sink.OnProcessEnded((int)tgid, _clock.ToWallClock(exitNs));
        _processes.ClearEnded();
    }

    private void EndUdpFlows(uint tgid, ulong exitNs, IConnectionEventSink sink)
    {
        if (!_udpFlowsByTgid.Remove(tgid, out List<UdpFlowRef>? flows)) return;
        DateTimeOffset when = _clock.ToWallClock(exitNs);
        foreach (UdpFlowRef entry in flows)
        {
            if (!_ledger.TryGet(entry.Id, out Flow<ulong>? flow)) continue;
            if (_udpFlows.TryTake(entry.Key, entry.Id, out NsUdpFlow final))
                _ledger.Observe(flow, (long)final.BytesSent, (long)final.BytesReceived, when);
            _ledger.Close(flow, when, sink);
        }
    }

    /// <summary>
    /// A DNS message the kernel copied (at most NS_DNS_PAYLOAD_LEN bytes of it), attributed to the task that sent to
    /// port 53 on the socket. Parsed here; a malformed one reaches the sink without a message, to be counted.
    /// Over TCP a message's segments are put back together by their sequence numbers (<see cref="TcpDnsReassembler"/>),
    /// so an answer split over several segments, or a length written before its message, is parsed whole.
    /// </summary>
    internal unsafe void OnDns(in NsDnsEvent dns, IConnectionEventSink sink)
    {
        var (local, server) = _addresses.Endpoints(dns.Ends);
        Transport transport = dns.Ends.Protocol == NsAbi.ProtoTcp ? Transport.Tcp : Transport.Udp;
        int captured = (int)Math.Min(dns.Captured, (uint)NsAbi.DnsPayloadLength);
        long wireLength = dns.WireLen;
        DnsParseStatus status;
        DnsMessage? message;
        fixed (byte* payload = dns.Payload)
        {
            var bytes = new ReadOnlySpan<byte>(payload, captured);
            if (transport == Transport.Tcp)
            {
                var stream = new TcpDnsStream(AddressKey.From(local.Address), local.Port, AddressKey.From(server.Address), server.Port, dns.Ingress != 0);
                if (!_tcpDns.TryAdd(stream, dns.TcpSeq, (int)wireLength, bytes, out byte[] whole, out int declared)) return;
                status = DnsMessageParser.Parse(whole, isPrefix: declared > whole.Length, out message);
            }
            else
            {
                status = DnsMessageParser.Parse(bytes, isPrefix: wireLength > bytes.Length, out message);
            }
        }
        if (status == DnsParseStatus.Ignored) return;
        sink.OnDns(new DnsEvent
        {
            Timestamp = _clock.ToWallClock(dns.Header.TimestampNs),
            Process = _processes.Describe(dns.Task, dns.Header.TimestampNs),
            Transport = transport,
            Server = server,
            Local = local,
            Message = message,
        });
    }

    /// <summary>Starts one interval's read of the kernel maps: every flow found is passed to <see cref="OnSocketCounters"/> or <see cref="OnUdpCounters"/>.</summary>
    public void BeginCounters() => _ledger.BeginSweep();

    internal void OnSocketCounters(in NsSockState state, DateTimeOffset now, IConnectionEventSink sink)
    {
        if (!_ledger.TryGet(state.ConnId, out Flow<ulong>? flow)) return; // its connect record is not drained yet
        _ledger.MarkSeen(flow);
        if (state.Ends.Sport != 0) flow.LearnLocal(_addresses.Endpoints(state.Ends).Local);
        _ledger.Observe(flow, (long)state.BytesSent, (long)state.BytesReceived, now);
        _ledger.Report(flow, now, sink);
    }

    internal void OnUdpCounters(in NsUdpFlow value, DateTimeOffset now, IConnectionEventSink sink)
    {
        if (!_ledger.TryGet(value.ConnId, out Flow<ulong>? flow)) return;
        _ledger.MarkSeen(flow);
        _ledger.Observe(flow, (long)value.BytesSent, (long)value.BytesReceived, now);
        _ledger.Report(flow, now, sink);
    }

    /// <summary>
    /// Ends the read: flows gone from their map without a close record (UDP LRU eviction, a lost close) close as
    /// inferred with the bytes already seen; processes that exited before the previous interval are forgotten.
    /// </summary>
    public void EndCounters(DateTimeOffset now, IConnectionEventSink sink)
    {
        _ledger.EvictUnseen(MissesBeforeEviction, now, sink);
        foreach (List<UdpFlowRef> flows in _udpFlowsByTgid.Values)
        {
            for (int i = flows.Count - 1; i >= 0; i--)
                if (!_ledger.TryGet(flows[i].Id, out _)) flows.RemoveAt(i);
        }
        _processes.ForgetExited();
        ReportEnded(sink);
    }

    /// <summary>
    /// An unbound socket has no source address (0.0.0.0, ::): the kernel picks one per datagram from the route. No program
    /// sees the datagram, so the routing table of the socket's namespace is asked the same question with the socket's
    /// routing inputs (read in the kernel when the flow was born); without an answer the address stays unspecified
    /// and the line has no source.ip.
    /// </summary>
    private IPEndPoint WithKernelSource(in NsOpenEvent open, IPEndPoint local, IPEndPoint remote)
    {
        if (_routes is null || open.Route.Netns == 0 || !(local.Address.Equals(IPAddress.Any) || local.Address.Equals(IPAddress.IPv6Any))) return local;
        var query = new RouteQuery(remote.Address, local.Port, remote.Port, open.Route.BoundDevIf, open.Route.Mark, open.Route.Uid);
        return _routes.SourceFor(open.Route.Netns, open.Task.Pid, open.Task.Tgid, query) is IPAddress source ? new IPEndPoint(source, local.Port) : local;
    }

    private static unsafe NsUdpKey UdpKeyOf(in NsOpenEvent open)
    {
        var key = new NsUdpKey { Tgid = open.Task.Tgid, Family = open.Ends.Family, Dport = open.Ends.Dport };
        fixed (byte* daddr = open.Ends.Daddr)
            new ReadOnlySpan<byte>(daddr, 16).CopyTo(new Span<byte>(key.Daddr, 16));
        return key;
    }

    private readonly record struct UdpFlowRef(ulong Id, NsUdpKey Key);
}
