using NetSentinel.Core.Detection;
using NetSentinel.Core.Sources;

namespace NetSentinel.Core.Monitoring;

/// <summary>
/// Drives one source and the detection pipeline from a single thread, so neither needs locks:
/// pump the source in short waits (this is the ring-buffer drain timer on eBPF), and at each
/// interval boundary collect the interval's byte counts and close the interval.
/// </summary>
public sealed class MonitorLoop
{
    /// <summary>The longest a pump waits: bounds alert latency on live sources and how late a stop is noticed.</summary>
    public static readonly TimeSpan MaxPumpWait = TimeSpan.FromMilliseconds(50);

    private readonly IConnectionSource _source;
    private readonly DetectionPipeline _pipeline;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _clock;
    private readonly Func<double?> _hostBytesSentPerSecond;
    /// <summary>The least time between two of the full collections an interval's end asks for.</summary>
    public static readonly TimeSpan FullCollectionSpacing = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How much the heap may grow past what the last full collection left before a drain asks for the next one, rather
    /// than waiting for the interval's end: in a fork/exec or beacon storm a thousand processes a second leave objects
    /// that live a second or two (their identities, their per-interval figures), old enough to be promoted to gen2,
    /// where they sat until the interval's end — the RSS followed five seconds of that garbage.
    /// </summary>
    public const long HeapGrowthBeforeCollection = 6 << 20;

    private DateTimeOffset _lastFullCollection = DateTimeOffset.MinValue;
    private long _heapAfterFullCollection;
    private long _fullCollections;
    private long _intervalsClosed;
    private long _intervalOverruns;
    private long _closeDelayTicks;

    public MonitorLoop(IConnectionSource source, DetectionPipeline pipeline, TimeSpan interval, TimeProvider clock, Func<double?>? hostBytesSentPerSecond = null)
    {
        _source = source;
        _pipeline = pipeline;
        _interval = interval;
        _clock = clock;
        _hostBytesSentPerSecond = hostBytesSentPerSecond ?? (() => null);
    }

    /// <summary>Full collections the loop asked for: at interval ends, and sooner when the heap grew fast (<see cref="HeapGrowthBeforeCollection"/>).</summary>
    public long FullCollections => Interlocked.Read(ref _fullCollections);

    /// <summary>Intervals closed since the start.</summary>
    public long IntervalsClosed => Interlocked.Read(ref _intervalsClosed);

    /// <summary>Interval boundaries skipped because the loop was more than a whole interval late (a stall, or a drain that took too long).</summary>
    public long IntervalOverruns => Interlocked.Read(ref _intervalOverruns);

    /// <summary>How late after its boundary the last interval was closed.</summary>
    public TimeSpan LastCloseDelay => TimeSpan.FromTicks(Interlocked.Read(ref _closeDelayTicks));

    /// <summary>Called after each interval closes, on the loop's thread (status line, baseline progress).</summary>
    public event Action<IntervalSummary>? IntervalClosed;

    /// <summary>
    /// Runs until <paramref name="stop"/> is cancelled, <paramref name="duration"/> has passed, or
    /// <paramref name="maxIntervals"/> intervals have closed. The last, partial interval is closed
    /// too, so bytes and connections seen just before the stop are still scored and logged.
    /// </summary>
    public void Run(CancellationToken stop, TimeSpan? duration = null, int? maxIntervals = null)
    {
        var start = _clock.GetUtcNow();
        var deadline = duration is { } d ? start + d : DateTimeOffset.MaxValue;
        var nextBoundary = start + _interval;
        int closed = 0;

        // Take the reference point now, so the first interval already has rates (polling) and
        // pre-existing connections are known before anything is scored.
        _source.EndInterval(_pipeline);

        while (!stop.IsCancellationRequested)
        {
            var now = _clock.GetUtcNow();
            if (now >= deadline) break;
            if (now >= nextBoundary)
            {
                Interlocked.Exchange(ref _closeDelayTicks, (now - nextBoundary).Ticks);
                CloseInterval(now);
                if (maxIntervals is { } max && ++closed >= max)
                {
                    _pipeline.Flush(now);
                    return;
                }
                // After a stall (suspend, debugger) skip the missed boundaries instead of firing a burst.
                if (now - nextBoundary > _interval)
                {
                    Interlocked.Add(ref _intervalOverruns, (now - nextBoundary).Ticks / _interval.Ticks);
                    nextBoundary = now + _interval;
                }
                else
                {
                    nextBoundary += _interval;
                }
                continue;
            }

            var wait = Min(nextBoundary - now, deadline - now, MaxPumpWait);
            _pipeline.BeginDrain();
            _source.Pump(_pipeline, wait);
            _pipeline.EndDrain();
            if (GC.GetTotalMemory(forceFullCollection: false) - _heapAfterFullCollection > HeapGrowthBeforeCollection)
            {
                CollectFully(_clock.GetUtcNow());
            }
        }

        var end = _clock.GetUtcNow();
        CloseInterval(end);
        _pipeline.Flush(end); // a held-back events_lost count is written, never dropped
    }

    private void CloseInterval(DateTimeOffset now)
    {
        _pipeline.BeginDrain();
        _source.EndInterval(_pipeline);
        var summary = _pipeline.EndInterval(now, _source.EventsLost, _hostBytesSentPerSecond());
        _pipeline.EndDrain();
        Interlocked.Increment(ref _intervalsClosed);
        IntervalClosed?.Invoke(summary);
        // The interval's per-process figures (and, in a fork/exec storm, thousands of short-lived processes' identities)
        // die here together, a few seconds old: old enough to sit in gen2, which the GC would otherwise collect only
        // when its budget fills, so the RSS followed the garbage instead of what lives. One full collection per
        // interval keeps it near the live set (docs/performance.md, "Memory in a fork/exec storm") — at most one a
        // second: an interval may be as short as 50 ms, and a full collection each time would cost a core's share.
        CollectFully(now);
    }

    /// <summary>A full, compacting collection, at most once per <see cref="FullCollectionSpacing"/>.</summary>
    private void CollectFully(DateTimeOffset now)
    {
        if (now - _lastFullCollection >= FullCollectionSpacing)
        {
            _lastFullCollection = now;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            Interlocked.Increment(ref _fullCollections);
            _heapAfterFullCollection = GC.GetTotalMemory(forceFullCollection: false);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b, TimeSpan c) =>
        TimeSpan.FromTicks(Math.Max(0, Math.Min(a.Ticks, Math.Min(b.Ticks, c.Ticks))));
}
