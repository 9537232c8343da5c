using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Detection;

public class AlertCooldownTests
{
    private static PipelineHarness Harness(double cooldownSeconds) => new(new MonitorConfig
    {
        IntervalSeconds = 5,
        BytesPerSecThreshold = 1000,
        BaselineSamples = 1000,
        AlertCooldownSeconds = cooldownSeconds,
    });

    private static void Send(PipelineHarness h, SyntheticEvents events, ConnectionEvent opened, long bytes) =>
        h.Pipeline.OnEvent(events.Traffic(opened, bytes));

    [Fact]
    public void StandingHighRateAlertsOnceInTenIntervalsThenAgainOnceTheCooldownHasPassed()
    {
        var h = Harness(300);
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(4242));
        var opened = app.Opened();
        h.Pipeline.OnEvent(opened);
        for (var i = 0; i < 10; i++)
        {
            Send(h, app, opened, 50_000);
            h.Tick();
        }
        var first = Assert.Single(h.Sink.AlertsFor(HighSendRateDetector.RuleName));
        Assert.Equal(ManualClock.Start.AddSeconds(5), first.Timestamp);

        // Ticks until 299 s after the first firing stay quiet.
        Send(h, app, opened, 10_000_000);
        h.Tick(299 - 50 + 5);
        Assert.Single(h.Sink.AlertsFor(HighSendRateDetector.RuleName));

        Send(h, app, opened, 50_000);
        h.Tick(1); // exactly 300 s after the first firing
        var alerts = h.Sink.AlertsFor(HighSendRateDetector.RuleName).ToList();
        Assert.Equal(2, alerts.Count);
        Assert.Equal(ManualClock.Start.AddSeconds(305), alerts[1].Timestamp);
        Assert.Equal(2, h.Pipeline.AlertsWritten);
    }

    [Fact]
    public void CooldownIsPerProcess()
    {
        var h = Harness(300);
        foreach (var pid in new[] { 1, 2 })
        {
            var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(pid));
            var opened = app.Opened();
            h.Pipeline.OnEvent(opened);
            Send(h, app, opened, 50_000);
        }
        h.Tick();
        Assert.Equal([1, 2], h.Sink.Alerts.Select(a => a.Process.Pid).Order());
    }

    [Fact]
    public void CooldownZeroAlertsEveryInterval()
    {
        var h = Harness(0);
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(1));
        var opened = app.Opened();
        h.Pipeline.OnEvent(opened);
        for (var i = 0; i < 3; i++)
        {
            Send(h, app, opened, 50_000);
            h.Tick();
        }
        Assert.Equal(3, h.Sink.AlertsFor(HighSendRateDetector.RuleName).Count());
    }
}
