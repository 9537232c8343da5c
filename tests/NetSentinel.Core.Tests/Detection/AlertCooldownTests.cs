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

    [Fact]
    public void ThrottleForgetsKeysWhoseCooldownHasPassed()
    {
        var throttle = new AlertThrottle(TimeSpan.FromSeconds(300));
        var now = ManualClock.Start;
        for (var pid = 1; pid <= 100; pid++)
        {
            Assert.True(throttle.TryFire(Alert(pid), now));
        }
        Assert.False(throttle.TryFire(Alert(1), now.AddSeconds(299)));
        Assert.Equal(100, throttle.Count);
        throttle.Purge(now.AddSeconds(299));
        Assert.Equal(100, throttle.Count);
        throttle.Purge(now.AddSeconds(300));
        Assert.Equal(0, throttle.Count);
        Assert.True(throttle.TryFire(Alert(1), now.AddSeconds(300)));
    }

    [Fact]
    public void ThrottleKeyIncludesTheDestination()
    {
        var throttle = new AlertThrottle(TimeSpan.FromSeconds(300));
        var now = ManualClock.Start;
        Assert.True(throttle.TryFire(Alert(1) with { Remote = SyntheticEvents.Endpoint("198.51.100.2", 443), Transport = Transport.Tcp }, now));
        Assert.True(throttle.TryFire(Alert(1) with { Remote = SyntheticEvents.Endpoint("198.51.100.2", 444), Transport = Transport.Tcp }, now));
        Assert.False(throttle.TryFire(Alert(1) with { Remote = SyntheticEvents.Endpoint("198.51.100.2", 444), Transport = Transport.Tcp }, now));
        Assert.True(throttle.TryFire(Alert(1) with { Rule = "many_connections" }, now));
    }

    private static AlertRecord Alert(int pid) => new()
    {
        Timestamp = ManualClock.Start,
        Source = "test",
        Rule = HighSendRateDetector.RuleName,
        Severity = Severity.Medium,
        Message = "m",
        Process = SyntheticEvents.Process(pid),
        Value = 2,
        Threshold = 1,
        Unit = "bytes_per_second",
        Window = TimeSpan.FromSeconds(5),
    };
}
