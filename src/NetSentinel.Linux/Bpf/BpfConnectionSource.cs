using System.Diagnostics;
using NetSentinel.Core.Flows;
using NetSentinel.Core.Sources;
using NetSentinel.Linux.Bpf.Abi;
using NetSentinel.Linux.Routing;

namespace NetSentinel.Linux.Bpf;

/// <summary>
/// The live eBPF source: every outbound TCP connection (IPv4/IPv6, including failed connects), every UDP flow
/// and every byte, attributed in the kernel to the process that caused it.
/// A thin shell: <see cref="KernelTracer"/> does the I/O, <see cref="BpfRecordDecoder"/> decodes ring-buffer
/// records (Opened/Closed, drained by <see cref="Pump"/>), <see cref="BpfEventTranslator"/> turns them and the
/// interval's batch reads of the byte-counter maps (Traffic, <see cref="EndInterval"/>) into <see cref="FlowLedger{TKey}"/> calls.
/// Emits everything outbound, loopback included: filtering is the pipeline's job.
/// </summary>
public sealed class BpfConnectionSource : IConnectionSource, IEventLossCauses, ISourceBacklog
{
    /// <summary>How often a waiting Pump drains: events are submitted without wakeup, so this bounds their latency.</summary>
    private const int DrainPeriodMs = 10;

    /// <summary>Room for every entry of the kernel's socket map (65536) and UDP flow map (16384), and closes in flight.</summary>
    private const int LedgerCapacity = 131072;

    private readonly KernelTracer _tracer;
    private readonly KernelRouteSources _routes;
    private readonly BpfEventTranslator _translator;
    private readonly BpfRecordDecoder _decoder;
    private readonly List<NsSockState> _socketScratch = [];
    private readonly List<KeyValuePair<NsUdpKey, NsUdpFlow>> _udpScratch = [];
    private readonly Action<ReadOnlySpan<byte>> _onRecord;
    private readonly TimeProvider _clock;
    private IConnectionEventSink? _sink; // set while Pump or EndInterval drains: records are only decoded then
    private bool _disposed;

    private BpfConnectionSource(KernelTracer tracer, TimeProvider clock)
    {
        _tracer = tracer;
        _clock = clock;
        _routes = new KernelRouteSources();
        _translator = new BpfEventTranslator(new FlowLedger<ulong>(clock, LedgerCapacity), new ProcessCatalog(), tracer, _routes);
        _decoder = new BpfRecordDecoder(_translator);
        _onRecord = record => _decoder.Decode(record, _sink!);
        StartupNotes = tracer.Notes;
    }

    /// <summary>Loads and attaches the kernel program. Throws <see cref="BpfException"/> with a one-line reason when it cannot.</summary>
    public static BpfConnectionSource Start() => new(KernelTracer.Start(), TimeProvider.System);

    /// <summary>Loads only <paramref name="variant"/>'s hooks (tests compare the variants; the CLI takes the preferred one).</summary>
    internal static BpfConnectionSource Start(BpfHookVariant variant) =>
        new(KernelTracer.Start(KernelTracer.LoadEmbeddedObject(), [variant]), TimeProvider.System);

    /// <summary>The hook variant that loaded.</summary>
    internal BpfHookVariant HookVariant => _tracer.Variant;

    public string Name => "ebpf";

    public IReadOnlyList<string> StartupNotes { get; }

    /// <summary>
    /// Kernel ring-buffer reservation failures, plus sockets/flows the kernel could not track because a map was full,
    /// plus records refused (malformed, wrong ABI) and flows user space could not track.
    /// </summary>
    public long EventsLost
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var (ring, full) = _tracer.ReadLost();
            return ring + full + _decoder.Refused + _translator.Untracked;
        }
    }

    /// <summary>
    /// <see cref="EventsLost"/> by cause, for the metrics endpoint (called on its thread: the kernel counters are
    /// map lookups, the user-space ones 64-bit reads). <c>ring_buffer_full</c> is the consumer falling behind.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, long>> EventsLostByCause()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var (ring, full) = _tracer.ReadLost();
        return
        [
            new("ring_buffer_full", ring),
            new("map_full", full),
            new("record_refused", _decoder.Refused),
            new("ledger_full", _translator.Untracked),
        ];
    }

    /// <summary>The kernel ring buffer's unread bytes and size (metrics thread: two loads from a read-only mapping).</summary>
    public (long Queued, long Capacity)? Backlog => _disposed ? null : _tracer.RingBufferBacklog;

    /// <summary>Live connections and flows user space is tracking (for tests and diagnostics).</summary>
    public int TrackedCount => _translator.TrackedCount;

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
            DateTimeOffset now = _clock.GetUtcNow();
            _translator.BeginCounters();

            _socketScratch.Clear();
            _tracer.ReadSockets(_socketScratch);
            foreach (NsSockState state in _socketScratch) _translator.OnSocketCounters(state, now, sink);

            _udpScratch.Clear();
            _tracer.ReadUdpFlows(_udpScratch);
            foreach (var (_, value) in _udpScratch) _translator.OnUdpCounters(value, now, sink);

            _translator.EndCounters(now, sink);
        }
        finally
        {
            _sink = null;
        }
    }

    /// <summary>Detaches every program and frees the maps: afterwards `bpftool prog list` shows nothing of ours.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _tracer.Dispose();
        _routes.Dispose();
    }
}
