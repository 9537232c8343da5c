using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using NetSentinel.Core.Model;
using NetSentinel.Core.Sources;
using NetSentinel.Linux.Bpf.Abi;
using NetSentinel.Linux.Bpf.Native;

namespace NetSentinel.Linux.Bpf;

/// <summary>
/// The live eBPF source: every outbound TCP connection (IPv4/IPv6, including failed connects), every UDP flow
/// and every byte, attributed in the kernel to the process that caused it.
/// Opened/Closed come from the ring buffer (drained by <see cref="Pump"/>); Traffic comes from batch reads
/// of the kernel's per-socket and per-flow byte counters (<see cref="EndInterval"/>).
/// Emits everything outbound, loopback included: filtering is the pipeline's job.
/// </summary>
public sealed class BpfConnectionSource : IConnectionSource
{
    /// <summary>How often a waiting Pump drains: events are submitted without wakeup, so this bounds their latency.</summary>
    private const int DrainPeriodMs = 10;

    private readonly KernelTracer _tracer;
    private readonly KernelClock _clock = new();
    private readonly ProcessCatalog _processes = new();
    private readonly Dictionary<ulong, TrackedFlow> _flows = [];
    private readonly Dictionary<uint, List<ulong>> _udpFlowsByTgid = [];
    private readonly List<NsSockState> _socketScratch = [];
    private readonly List<KeyValuePair<NsUdpKey, NsUdpFlow>> _udpScratch = [];
    private readonly Action<ReadOnlySpan<byte>> _onRecord;
    private IConnectionEventSink? _sink;
    private long _malformedRecords;
    private bool _disposed;

    private BpfConnectionSource(KernelTracer tracer)
    {
        _tracer = tracer;
        _onRecord = OnRecord;
        StartupNotes = tracer.Notes;
    }

    /// <summary>Loads and attaches the kernel program. Throws <see cref="BpfException"/> with a one-line reason when it cannot.</summary>
    public static BpfConnectionSource Start() => new(KernelTracer.Start());

    /// <summary>Loads only <paramref name="variant"/>'s hooks (tests compare the variants; the CLI takes the preferred one).</summary>
    internal static BpfConnectionSource Start(BpfHookVariant variant) => new(KernelTracer.Start(KernelTracer.LoadEmbeddedObject(), [variant]));

    /// <summary>The hook variant that loaded.</summary>
    internal BpfHookVariant HookVariant => _tracer.Variant;

    public string Name => "ebpf";

    public IReadOnlyList<string> StartupNotes { get; }

    /// <summary>Kernel ring-buffer reservation failures, plus sockets/flows the kernel could not track because a map was full, plus malformed records.</summary>
    public long EventsLost
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var (ring, full) = _tracer.ReadLost();
            return ring + full + _malformedRecords;
        }
    }

    /// <summary>Live connections and flows user space is tracking (for tests and diagnostics).</summary>
    public int TrackedCount => _flows.Count;

    /// <summary>
    /// Null when this process may load the eBPF source, else one line naming what is missing
    /// (root, or CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN; kernel BTF; libbpf).
    /// </summary>
    public static string? CheckPrivilege() => BpfPrerequisites.Check();

    public void Pump(IConnectionEventSink sink, TimeSpan maxWait)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long deadline = Stopwatch.GetTimestamp() + (long)(Math.Max(0, maxWait.TotalSeconds) * Stopwatch.Frequency);
        _sink = sink;
        try
        {
            for (int round = 0; round < 1_000_000; round++)
            {
                double remainingMs = (deadline - Stopwatch.GetTimestamp()) * 1000.0 / Stopwatch.Frequency;
                int slice = (int)Math.Clamp(Math.Ceiling(remainingMs), 0, DrainPeriodMs);
                if (_tracer.Drain(_onRecord, slice) > 0 || slice == 0) return;
            }
        }
        finally
        {
            _sink = null;
        }
    }

    public void EndInterval(IConnectionEventSink sink)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _sink = sink;
        try
        {
            _tracer.Drain(_onRecord, 0); // Opened before Traffic, and closes already submitted take their final bytes
            foreach (TrackedFlow flow in _flows.Values) flow.MissedReads++;
            DateTimeOffset now = DateTimeOffset.UtcNow;

            _socketScratch.Clear();
            _tracer.ReadSockets(_socketScratch);
            foreach (NsSockState state in _socketScratch)
            {
                if (!_flows.TryGetValue(state.ConnId, out TrackedFlow? flow)) continue; // its connect event is not drained yet
                flow.MissedReads = 0;
                if (flow.Local.Port == 0 && state.Ends.Sport != 0) flow.Local = BpfText.Endpoints(state.Ends).Local;
                ReportTraffic(flow, (long)state.BytesSent, (long)state.BytesReceived, now);
            }

            _udpScratch.Clear();
            _tracer.ReadUdpFlows(_udpScratch);
            foreach (var (_, value) in _udpScratch)
            {
                if (!_flows.TryGetValue(value.ConnId, out TrackedFlow? flow)) continue;
                flow.MissedReads = 0;
                ReportTraffic(flow, (long)value.BytesSent, (long)value.BytesReceived, now);
            }

            // Gone from its map without a close record (LRU eviction, or a lost close): end it with what we reported.
            List<TrackedFlow>? gone = null;
            foreach (TrackedFlow flow in _flows.Values)
                if (flow.MissedReads >= 2) (gone ??= []).Add(flow);
            foreach (TrackedFlow flow in gone ?? [])
                EndFlow(flow, flow.ReportedSent, flow.ReportedReceived, now, failed: false, duration: TimeSpan.Zero);
        }
        finally
        {
            _sink = null;
        }
    }

    private void OnRecord(ReadOnlySpan<byte> record)
    {
        if (record.Length < Unsafe.SizeOf<NsHeader>())
        {
            _malformedRecords++;
            return;
        }
        NsHeader header = Unsafe.ReadUnaligned<NsHeader>(ref Unsafe.AsRef(in record[0]));
        switch (header.Kind)
        {
            case NsAbi.EventTcpConnect when TryRead(record, out NsOpenEvent open):
                OnOpened(open, Transport.Tcp);
                break;
            case NsAbi.EventUdpFlow when TryRead(record, out NsOpenEvent flow):
                OnOpened(flow, Transport.Udp);
                break;
            case NsAbi.EventTcpClose when TryRead(record, out NsCloseEvent close):
                OnClosed(close);
                break;
            case NsAbi.EventExec when TryRead(record, out NsExecEvent exec):
                OnExec(exec);
                break;
            case NsAbi.EventExit when TryRead(record, out NsExitEvent exit):
                OnExit(exit);
                break;
            default:
                _malformedRecords++;
                break;
        }
    }

    /// <summary>Decodes a record after checking its length; false (and counted) when it is too short.</summary>
    private bool TryRead<T>(ReadOnlySpan<byte> record, out T value) where T : unmanaged
    {
        if (!BpfRecord.TryRead(record, out value))
        {
            _malformedRecords++;
            return false;
        }
        return true;
    }

    private void OnOpened(in NsOpenEvent open, Transport transport)
    {
        var (local, remote) = BpfText.Endpoints(open.Ends);
        var flow = new TrackedFlow
        {
            ConnectionId = open.ConnId,
            Transport = transport,
            Local = local,
            Remote = remote,
            Process = _processes.Describe(open.Task),
            StartNs = open.Header.TimestampNs,
            UdpKey = transport == Transport.Udp ? UdpKeyOf(open) : default,
        };
        _flows[open.ConnId] = flow;
        if (transport == Transport.Udp)
        {
            if (!_udpFlowsByTgid.TryGetValue(open.Task.Tgid, out List<ulong>? ids))
                _udpFlowsByTgid[open.Task.Tgid] = ids = [];
            ids.Add(open.ConnId);
        }
        Deliver(ConnectionEventKind.Opened, flow, _clock.ToWallClock(open.Header.TimestampNs), 0, 0);
    }

    private static unsafe NsUdpKey UdpKeyOf(in NsOpenEvent open)
    {
        var key = new NsUdpKey { Tgid = open.Task.Tgid, Family = open.Ends.Family, Dport = open.Ends.Dport };
        fixed (byte* daddr = open.Ends.Daddr)
            new ReadOnlySpan<byte>(daddr, 16).CopyTo(new Span<byte>(key.Daddr, 16));
        return key;
    }

    private void OnClosed(in NsCloseEvent close)
    {
        var (local, remote) = BpfText.Endpoints(close.Ends);
        if (!_flows.TryGetValue(close.ConnId, out TrackedFlow? flow))
        {
            // Its connect record was lost: the close carries the identity captured at connect time anyway.
            flow = new TrackedFlow
            {
                ConnectionId = close.ConnId,
                Transport = Transport.Tcp,
                Local = local,
                Remote = remote,
                Process = _processes.Describe(close.Task),
                StartNs = close.Header.TimestampNs - close.DurationNs,
            };
            _flows[close.ConnId] = flow;
        }
        if (local.Port != 0) flow.Local = local;
        bool failed = (close.Flags & NsAbi.CloseEstablished) == 0;
        EndFlow(flow, (long)close.BytesSent, (long)close.BytesReceived, _clock.ToWallClock(close.Header.TimestampNs),
                failed, TimeSpan.FromTicks((long)(close.DurationNs / 100)));
    }

    private unsafe void OnExec(in NsExecEvent exec)
    {
        fixed (byte* filename = exec.Filename)
            _processes.OnExec(exec.Task.Tgid, BpfText.CString(new ReadOnlySpan<byte>(filename, NsAbi.PathLength)));
    }

    /// <summary>A process's UDP flows end with it; its cached facts are dropped (its pid may be reused).</summary>
    private void OnExit(in NsExitEvent exit)
    {
        _processes.OnExit(exit.Task.Tgid);
        if (!_udpFlowsByTgid.Remove(exit.Task.Tgid, out List<ulong>? ids)) return;
        DateTimeOffset when = _clock.ToWallClock(exit.Header.TimestampNs);
        foreach (ulong id in ids)
        {
            if (!_flows.TryGetValue(id, out TrackedFlow? flow)) continue;
            long sent = flow.ReportedSent, received = flow.ReportedReceived;
            if (_tracer.TryReadUdpFlow(flow.UdpKey, out NsUdpFlow value) && value.ConnId == id)
            {
                sent = (long)value.BytesSent;
                received = (long)value.BytesReceived;
                _tracer.DeleteUdpFlow(flow.UdpKey);
            }
            EndFlow(flow, sent, received, when, failed: false, TimeSpan.FromTicks((long)((exit.Header.TimestampNs - flow.StartNs) / 100)));
        }
    }

    private void ReportTraffic(TrackedFlow flow, long sent, long received, DateTimeOffset when)
    {
        long deltaSent = Math.Max(0, sent - flow.ReportedSent);
        long deltaReceived = Math.Max(0, received - flow.ReportedReceived);
        if (deltaSent == 0 && deltaReceived == 0) return;
        flow.ReportedSent += deltaSent;
        flow.ReportedReceived += deltaReceived;
        Deliver(ConnectionEventKind.Traffic, flow, when, deltaSent, deltaReceived);
    }

    /// <summary>Closed is preceded by a Traffic event for bytes not yet reported, so Traffic deltas sum to the Closed totals.</summary>
    private void EndFlow(TrackedFlow flow, long sent, long received, DateTimeOffset when, bool failed, TimeSpan duration)
    {
        ReportTraffic(flow, sent, received, when);
        _flows.Remove(flow.ConnectionId);
        if (flow.Transport == Transport.Udp && _udpFlowsByTgid.TryGetValue((uint)flow.Process.Pid, out List<ulong>? ids))
            ids.Remove(flow.ConnectionId);
        _sink?.OnEvent(new ConnectionEvent
        {
            Kind = ConnectionEventKind.Closed,
            Timestamp = when,
            ConnectionId = flow.ConnectionId,
            Transport = flow.Transport,
            Local = flow.Local,
            Remote = flow.Remote,
            Process = flow.Process,
            BytesSent = Math.Max(sent, flow.ReportedSent),
            BytesReceived = Math.Max(received, flow.ReportedReceived),
            Duration = duration,
            Failed = failed,
        });
    }

    private void Deliver(ConnectionEventKind kind, TrackedFlow flow, DateTimeOffset when, long sent, long received) =>
        _sink?.OnEvent(new ConnectionEvent
        {
            Kind = kind,
            Timestamp = when,
            ConnectionId = flow.ConnectionId,
            Transport = flow.Transport,
            Local = flow.Local,
            Remote = flow.Remote,
            Process = flow.Process,
            BytesSent = sent,
            BytesReceived = received,
        });

    /// <summary>Detaches every program and frees the maps: afterwards `bpftool prog list` shows nothing of ours.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _tracer.Dispose();
    }
}
