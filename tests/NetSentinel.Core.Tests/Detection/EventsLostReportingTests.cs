using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Detection;

public class EventsLostReportingTests
{
    private static PipelineHarness Harness() => new(new MonitorConfig { IntervalSeconds = 5, BytesPerSecThreshold = 0, BaselineSamples = 0 });

    private static List<(long Lost, long Total)> Lines(PipelineHarness h) =>
        h.Sink.Records.OfType<EventsLostRecord>().Select(r => (r.Lost, r.TotalLost)).ToList();

    [Fact]
    public void GrowthInThreeConsecutiveIntervalsGivesThreeLinesWithExactSums()
    {
        var h = Harness();
        h.Tick(eventsLostTotal: 3);
        h.Tick(eventsLostTotal: 7);
        h.Tick(eventsLostTotal: 12);
        Assert.Equal([(3, 3), (4, 7), (5, 12)], Lines(h));
        var last = h.Sink.Records.OfType<EventsLostRecord>().Last();
        Assert.Equal(h.Clock.Now, last.Timestamp);
        Assert.Equal("test", last.Source);
        Assert.Equal(12, h.Pipeline.EventsLost);
    }

    [Fact]
    public void NoGrowthWritesNothing()
    {
        var h = Harness();
        h.Tick(eventsLostTotal: 0);
        h.Tick(eventsLostTotal: 4);
        h.Tick(eventsLostTotal: 4);
        Assert.Equal([(4, 4)], Lines(h));
    }

    [Fact]
    public void AtMostOneLinePerIntervalAndHeldBackGrowthIsWrittenLater()
    {
        var h = Harness();
        h.Tick(eventsLostTotal: 2); // t = 5: written
        h.Tick(2, eventsLostTotal: 5); // t = 7: 2 s after the last line, held back
        Assert.Equal([(2, 2)], Lines(h));
        h.Tick(2, eventsLostTotal: 6); // t = 9: still held
        h.Tick(1, eventsLostTotal: 6); // t = 10: 5 s since the last line, written with everything held
        Assert.Equal([(2, 2), (4, 6)], Lines(h));
    }

    [Fact]
    public void FlushWritesWhatTheRateLimitHeldBack()
    {
        var h = Harness();
        h.Tick(eventsLostTotal: 1);
        h.Tick(1, eventsLostTotal: 9);
        h.Pipeline.Flush(h.Clock.Now);
        h.Pipeline.Flush(h.Clock.Now); // nothing left: no second line
        Assert.Equal([(1, 1), (8, 9)], Lines(h));
    }

    [Fact]
    public void AlertsCarryTheLossOfTheirInterval()
    {
        var h = Harness();
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(3));
        h.Tick(eventsLostTotal: 10);
        var opened = app.Opened(); // new_destination: window is the whole run, so all loss so far
        h.Pipeline.OnEvent(opened);
        h.Pipeline.OnEvent(app.Traffic(opened, 1));
        var summary = h.Tick(eventsLostTotal: 14);
        Assert.Equal(4, summary.EventsLostInWindow);
        Assert.Equal(10, h.Sink.AlertsFor(NewDestinationDetector.RuleName).Single().EventsLostInWindow);
        Assert.Equal(4, h.Sink.AlertsFor(HighSendRateDetector.RuleName).Single().EventsLostInWindow);
    }

    [Fact]
    public void ACounterThatGoesBackwardsCountsAsNewLossNotNegative()
    {
        var h = Harness();
        h.Tick(eventsLostTotal: 10);
        h.Tick(eventsLostTotal: 3); // the source restarted its counter
        Assert.Equal([(10, 10), (3, 13)], Lines(h));
    }
}
