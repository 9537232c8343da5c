using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Tests.Detection;

/// <summary>
/// Inside a drain the pipeline reads the clock once per batch of events (<see cref="DetectionPipeline.EventsPerClockRead"/>),
/// not once per event; outside one (replay, tests) every event still reads it.
/// </summary>
public class DrainClockTests
{
    [Fact]
    public void ADrainReadsTheClockOncePerBatchOfEvents()
    {
        var clock = new CountingClock();
        var pipeline = new DetectionPipeline(new MonitorConfig(), new CollectingSink(), "test", clock, learnBaseline: false);
        var app = new SyntheticEvents(clock.Manual, SyntheticEvents.Process(8));
        const int Connections = 500; // 1,000 events
        int before = clock.Reads;
        pipeline.BeginDrain();
        for (int i = 0; i < Connections; i++)
        {
            var opened = app.Opened(port: 20000 + (i % 100));
            pipeline.OnEvent(opened);
            pipeline.OnEvent(app.Closed(opened));
        }
        pipeline.EndDrain();
        int perDrain = clock.Reads - before;
        Assert.Equal((2 * Connections + DetectionPipeline.EventsPerClockRead - 1) / DetectionPipeline.EventsPerClockRead, perDrain);

        before = clock.Reads;
        for (int i = 0; i < Connections; i++)
        {
            var opened = app.Opened(port: 20000 + (i % 100));
            pipeline.OnEvent(opened);
            pipeline.OnEvent(app.Closed(opened));
        }
        Assert.True(clock.Reads - before >= 2 * Connections, $"{clock.Reads - before} reads for {2 * Connections} events outside a drain");
    }

    [Fact]
    public void AnAlertInADrainIsDatedByItsBatchsClockReadAndTheNextBatchReadsAgain()
    {
        var h = new PipelineHarness(new MonitorConfig(), learnBaseline: false); // every destination is new: each first sighting alerts
        var start = h.Clock.Now;
        h.Pipeline.BeginDrain();
        h.Pipeline.OnEvent(new SyntheticEvents(h.Clock, SyntheticEvents.Process(1, "first", "/opt/first")).Opened("198.51.100.10", 443));
        h.Clock.AdvanceSeconds(1); // the drain goes on: the batch keeps its reading
        h.Pipeline.OnEvent(new SyntheticEvents(h.Clock, SyntheticEvents.Process(2, "second", "/opt/second")).Opened("198.51.100.11", 443));
        var filler = new SyntheticEvents(h.Clock, SyntheticEvents.Process(3, "filler", "/opt/filler"));
        for (int i = 2; i < DetectionPipeline.EventsPerClockRead; i++)
        {
            h.Pipeline.OnEvent(filler.Opened("198.51.100.12", 443));
        }
        h.Clock.AdvanceSeconds(1);
        h.Pipeline.OnEvent(new SyntheticEvents(h.Clock, SyntheticEvents.Process(4, "fourth", "/opt/fourth")).Opened("198.51.100.13", 443)); // a new batch
        h.Pipeline.EndDrain();
        h.Clock.AdvanceSeconds(1);
        h.Pipeline.OnEvent(new SyntheticEvents(h.Clock, SyntheticEvents.Process(5, "fifth", "/opt/fifth")).Opened("198.51.100.14", 443)); // outside a drain

        var times = h.Sink.AlertsFor(NewDestinationDetector.RuleName).ToDictionary(a => a.Process.Name, a => a.Timestamp);
        Assert.Equal(start, times["first"]);
        Assert.Equal(start, times["second"]);
        Assert.Equal(start, times["filler"]);
        Assert.Equal(start.AddSeconds(2), times["fourth"]);
        Assert.Equal(start.AddSeconds(3), times["fifth"]);
    }

    [Fact]
    public void TheDrainLagIsItsOldestEventAgainstTheBatchsClockRead()
    {
        var h = new PipelineHarness(new MonitorConfig(), learnBaseline: false);
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(8));
        var old = app.Opened() with { Timestamp = h.Clock.Now.AddSeconds(-5) };
        var recent = app.Opened(port: 444) with { Timestamp = h.Clock.Now.AddSeconds(-1) };
        h.Pipeline.BeginDrain();
        h.Pipeline.OnEvent(old);
        h.Clock.AdvanceSeconds(2); // read once for the batch: the lag stays what it was at the first event
        h.Pipeline.OnEvent(recent);
        h.Pipeline.EndDrain();
        Assert.Equal(TimeSpan.FromSeconds(5), h.Pipeline.Counters.DrainLag);
    }

    private sealed class CountingClock : TimeProvider
    {
        public ManualClock Manual { get; } = new();

        public int Reads { get; private set; }

        public override DateTimeOffset GetUtcNow()
        {
            Reads++;
            return Manual.Now;
        }
    }
}
