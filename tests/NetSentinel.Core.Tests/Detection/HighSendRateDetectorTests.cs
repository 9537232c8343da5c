using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Detection;

public class HighSendRateDetectorTests
{
    private static PipelineHarness Harness(long threshold) =>
        new(new MonitorConfig { IntervalSeconds = 5, BytesPerSecThreshold = threshold, BaselineSamples = 1000 });

    [Fact]
    public void ExactlyTheThresholdDoesNotAlert()
    {
        var h = Harness(1000);
        var events = new SyntheticEvents(h.Clock, SyntheticEvents.Process(4242));
        var opened = events.Opened();
        h.Pipeline.OnEvent(opened);
        h.Pipeline.OnEvent(events.Traffic(opened, 5000)); // 1000 B/s over 5 s
        h.Tick();
        Assert.Empty(h.Sink.AlertsFor(HighSendRateDetector.RuleName));
    }

    [Fact]
    public void OneByteAboveTheThresholdAlertsWithValueThresholdAndWindow()
    {
        var h = Harness(1000);
        var events = new SyntheticEvents(h.Clock, SyntheticEvents.Process(4242));
        var opened = events.Opened();
        h.Pipeline.OnEvent(opened);
        h.Pipeline.OnEvent(events.Traffic(opened, 5005)); // 1001 B/s over 5 s
        h.Tick(hostRate: 123456.5, eventsLostTotal: 7);

        var alert = Assert.Single(h.Sink.AlertsFor(HighSendRateDetector.RuleName));
        Assert.Equal(1001, alert.Value);
        Assert.Equal(1000, alert.Threshold);
        Assert.Equal("bytes_per_second", alert.Unit);
        Assert.Equal(TimeSpan.FromSeconds(5), alert.Window);
        Assert.Equal(Severity.Medium, alert.Severity);
        Assert.Equal(123456.5, alert.HostBytesSentPerSecond);
        Assert.Equal(7, alert.EventsLostInWindow);
        Assert.Equal(4242, alert.Process.Pid);
        Assert.Equal("test", alert.Source);
        Assert.Equal(h.Clock.Now, alert.Timestamp);
        Assert.Null(alert.Remote);
        Assert.Equal("python3 (pid 4242) sent 1.0 kB/s (5005 bytes) over 5 s, threshold 1.0 kB/s", alert.Message);
    }

    [Fact]
    public void MessageStatesRateWindowAndThresholdInReadableUnits()
    {
        var h = Harness(5_000_000);
        var events = new SyntheticEvents(h.Clock, SyntheticEvents.Process(4242));
        var opened = events.Opened();
        h.Pipeline.OnEvent(opened);
        h.Pipeline.OnEvent(events.Traffic(opened, 35_500_000));
        h.Tick();
        var alert = Assert.Single(h.Sink.AlertsFor(HighSendRateDetector.RuleName));
        Assert.Equal("python3 (pid 4242) sent 7.1 MB/s (35500000 bytes) over 5 s, threshold 5.0 MB/s", alert.Message);
        Assert.Equal(7_100_000, alert.Value);
    }

    [Fact]
    public void RateUsesTheRealIntervalLengthNotTheConfiguredOne()
    {
        var h = Harness(1000);
        var events = new SyntheticEvents(h.Clock, SyntheticEvents.Process(1));
        var opened = events.Opened();
        h.Pipeline.OnEvent(opened);
        h.Tick(); // first interval: window is the configured 5 s

        // The next tick comes 10 s later: 10,000 bytes is exactly 1000 B/s, not 2000.
        h.Pipeline.OnEvent(events.Traffic(opened, 10_000));
        var summary = h.Tick(10);
        Assert.Equal(TimeSpan.FromSeconds(10), summary.Window);
        Assert.Equal(1000, Assert.Single(summary.Processes).BytesSentPerSecond);
        Assert.Empty(h.Sink.AlertsFor(HighSendRateDetector.RuleName));

        // 2.5 s later: 2,600 bytes is 1040 B/s.
        h.Pipeline.OnEvent(events.Traffic(opened, 2600));
        h.Tick(2.5);
        var alert = Assert.Single(h.Sink.AlertsFor(HighSendRateDetector.RuleName));
        Assert.Equal(1040, alert.Value);
        Assert.Equal(TimeSpan.FromSeconds(2.5), alert.Window);
    }

    [Fact]
    public void ThresholdIsPerProcessNotForTheHost()
    {
        var h = Harness(1000);
        foreach (var pid in new[] { 10, 11 })
        {
            var events = new SyntheticEvents(h.Clock, SyntheticEvents.Process(pid));
            var opened = events.Opened();
            h.Pipeline.OnEvent(opened);
            h.Pipeline.OnEvent(events.Traffic(opened, 3000)); // 600 B/s each, 1200 together
        }
        h.Tick();
        Assert.Empty(h.Sink.Alerts);
    }

    [Fact]
    public void BytesOnOpenedAndClosedAreNotCountedAgainstTheInterval()
    {
        // Opened carries bytes from before we saw the connection, Closed carries lifetime totals:
        // only Traffic deltas belong to the interval.
        var h = Harness(1000);
        var events = new SyntheticEvents(h.Clock, SyntheticEvents.Process(1));
        var opened = events.Opened() with { BytesSent = 1_000_000 };
        h.Pipeline.OnEvent(opened);
        h.Pipeline.OnEvent(events.Traffic(opened, 100));
        h.Pipeline.OnEvent(events.Closed(opened, sentTotal: 1_000_100));
        var summary = h.Tick();
        Assert.Equal(100, Assert.Single(summary.Processes).BytesSent);
        Assert.Empty(h.Sink.Alerts);
    }

    [Fact]
    public void ThresholdZeroAlertsOnAnySendingProcessButNotOnSilentOnes()
    {
        var h = Harness(0);
        var sender = new SyntheticEvents(h.Clock, SyntheticEvents.Process(1, "sender"));
        var receiver = new SyntheticEvents(h.Clock, SyntheticEvents.Process(2, "receiver"));
        var a = sender.Opened();
        var b = receiver.Opened(port: 80);
        h.Pipeline.OnEvent(a);
        h.Pipeline.OnEvent(b);
        h.Pipeline.OnEvent(sender.Traffic(a, 1));
        h.Pipeline.OnEvent(receiver.Traffic(b, 0, received: 1_000_000));
        h.Tick();
        var alert = Assert.Single(h.Sink.AlertsFor(HighSendRateDetector.RuleName));
        Assert.Equal(1, alert.Process.Pid);
        Assert.Equal(0.2, alert.Value);
        Assert.Equal(0, alert.Threshold);
    }
}
