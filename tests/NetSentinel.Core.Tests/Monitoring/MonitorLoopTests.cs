using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;
using NetSentinel.Core.Monitoring;
using NetSentinel.Core.Output;
using NetSentinel.Core.Sources;
using NetSentinel.Core.Tests.Detection;

namespace NetSentinel.Core.Tests.Monitoring;

public class MonitorLoopTests
{
    private readonly ManualClock _clock = new();
    private readonly CollectingSink _output = new();

    [Fact]
    public void ClosesOneIntervalPerBoundaryAndAPartialOneAtTheEnd()
    {
        var source = new ScriptedSource(_clock);
        var (loop, _) = Build(source, baselineSamples: 0);
        var windows = new List<TimeSpan>();
        loop.IntervalClosed += s => windows.Add(s.Window);

        loop.Run(CancellationToken.None, duration: TimeSpan.FromSeconds(3.5));

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(0.5)], windows);
        // One reference read at start, one per closed interval.
        Assert.Equal(5, source.EndIntervalCalls);
        Assert.All(source.PumpWaits, w => Assert.InRange(w, TimeSpan.Zero, MonitorLoop.MaxPumpWait));
    }

    [Fact]
    public void EventsPumpedBetweenBoundariesAlertImmediately()
    {
        var source = new ScriptedSource(_clock);
        var (loop, pipeline) = Build(source, baselineSamples: 0);
        var curl = new SyntheticEvents(_clock, SyntheticEvents.Process(42, "curl", "/usr/bin/curl"));
        source.DeliverAt(TimeSpan.FromMilliseconds(300), curl.Opened("198.51.100.9", 8443));
        DateTimeOffset? firstIntervalEnd = null;
        loop.IntervalClosed += s => firstIntervalEnd ??= s.End;

        loop.Run(CancellationToken.None, duration: TimeSpan.FromSeconds(2));

        var alert = Assert.Single(_output.AlertsFor("new_destination"));
        Assert.True(alert.Timestamp < firstIntervalEnd, "new_destination must fire at the event, not at the interval end");
        Assert.Equal(1, pipeline.AlertsWritten);
    }

    [Fact]
    public void OneDrainsEventsShareTheClockReadAtItsFirstEventAfterTheWait()
    {
        var source = new ScriptedSource(_clock);
        var (loop, _) = Build(source, baselineSamples: 0);
        var one = new SyntheticEvents(_clock, SyntheticEvents.Process(42, "one", "/usr/bin/one"));
        var two = new SyntheticEvents(_clock, SyntheticEvents.Process(43, "two", "/usr/bin/two"));
        DateTimeOffset? drainedAt = null;
        source.OnPumpWithSink = sink =>
        {
            if (drainedAt is not null || _clock.Now < ManualClock.Start + TimeSpan.FromMilliseconds(300)) return;
            drainedAt = _clock.Now; // after the pump's wait
            sink.OnEvent(one.Opened("198.51.100.9", 8443));
            _clock.Advance(TimeSpan.FromMilliseconds(5)); // the drain goes on
            sink.OnEvent(two.Opened("198.51.100.10", 8443));
        };

        loop.Run(CancellationToken.None, duration: TimeSpan.FromSeconds(1));

        var times = _output.AlertsFor("new_destination").Select(a => a.Timestamp).ToList();
        Assert.Equal([drainedAt!.Value, drainedAt.Value], times);
    }

    [Fact]
    public void BaselineOnlyStopsAfterTheRequestedIntervals()
    {
        var source = new ScriptedSource(_clock);
        var (loop, pipeline) = Build(source, baselineSamples: 3);
        loop.Run(CancellationToken.None, maxIntervals: 3);
        Assert.Equal(new BaselineProgress(3, 3), pipeline.BaselineProgress);
        Assert.Equal(ManualClock.Start + TimeSpan.FromSeconds(3), _clock.Now);
    }

    [Fact]
    public void CancellationStopsWithinOnePumpAndFlushesLoss()
    {
        using var stop = new CancellationTokenSource();
        var source = new ScriptedSource(_clock) { Lost = 7 };
        source.OnPump = () => { if (_clock.Now >= ManualClock.Start + TimeSpan.FromSeconds(0.2)) stop.Cancel(); };
        var (loop, _) = Build(source, baselineSamples: 0);

        loop.Run(stop.Token);

        Assert.InRange(_clock.Now - ManualClock.Start, TimeSpan.FromSeconds(0.2), TimeSpan.FromSeconds(0.2) + MonitorLoop.MaxPumpWait);
        var lost = Assert.Single(_output.Records.OfType<EventsLostRecord>());
        Assert.Equal(7, lost.TotalLost);
    }

    [Fact]
    public void AHeapGrowingFastIsCollectedBeforeTheIntervalEnds()
    {
        // A storm's processes leave objects that live a second or two: here 1 MiB a pump, held for 16 pumps, then let go.
        var source = new ScriptedSource(_clock);
        var config = new MonitorConfig { IntervalSeconds = 60, BaselineSamples = 0 };
        var loop = new MonitorLoop(source, new DetectionPipeline(config, _output, "test", _clock, learnBaseline: true), config.Interval, _clock);
        var held = new List<byte[]>();
        long collectionsInTheInterval = 0;
        source.OnPump = () =>
        {
            if (held.Count < 16)
            {
                held.Add(new byte[1 << 20]);
            }
            else
            {
                held.Clear();
            }
            collectionsInTheInterval = loop.FullCollections;
        };

        loop.Run(CancellationToken.None, duration: TimeSpan.FromSeconds(10));

        // Without it the first full collection came at the interval's end (here the stop): the heap held all of it until then.
        Assert.True(collectionsInTheInterval >= 1, $"{collectionsInTheInterval} full collections within the interval");
        Assert.True(loop.FullCollections <= 11, $"{loop.FullCollections}: at most one a second (and one at the end)");
    }

    private (MonitorLoop, DetectionPipeline) Build(ScriptedSource source, int baselineSamples)
    {
        var config = new MonitorConfig { IntervalSeconds = 1, BaselineSamples = baselineSamples };
        var pipeline = new DetectionPipeline(config, _output, "test", _clock, learnBaseline: true);
        return (new MonitorLoop(source, pipeline, config.Interval, _clock), pipeline);
    }

    /// <summary>A source whose Pump advances the manual clock by the wait it was given, delivering scheduled events.</summary>
    private sealed class ScriptedSource(ManualClock clock) : IConnectionSource
    {
        private readonly List<(DateTimeOffset At, ConnectionEvent Event)> _scheduled = new();
        public List<TimeSpan> PumpWaits { get; } = new();
        public int EndIntervalCalls { get; private set; }
        public Action? OnPump { get; set; }
        public Action<IConnectionEventSink>? OnPumpWithSink { get; set; }
        public long Lost { get; init; }

        public void DeliverAt(TimeSpan offset, ConnectionEvent e) => _scheduled.Add((ManualClock.Start + offset, e));

        public string Name => "scripted";
        public IReadOnlyList<string> StartupNotes => [];
        public long EventsLost => Lost;

        public void Pump(IConnectionEventSink sink, TimeSpan maxWait)
        {
            PumpWaits.Add(maxWait);
            clock.Advance(maxWait);
            foreach (var due in _scheduled.Where(s => s.At <= clock.Now).ToList())
            {
                _scheduled.Remove(due);
                sink.OnEvent(due.Event with { Timestamp = clock.Now });
            }
            OnPumpWithSink?.Invoke(sink);
            OnPump?.Invoke();
        }

        public void EndInterval(IConnectionEventSink sink) => EndIntervalCalls++;

        public void Dispose() { }
    }
}
