using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Detection;

public class ManyConnectionsDetectorTests
{
    private static PipelineHarness Harness(bool includeLoopback = false) => new(new MonitorConfig
    {
        IntervalSeconds = 5,
        ManyConnectionsThreshold = 50,
        BaselineSamples = 1000, // keep new_destination quiet
        IncludeLoopback = includeLoopback,
    });

    private static List<ConnectionEvent> OpenMany(PipelineHarness h, SyntheticEvents events, int count, string remote = "198.51.100.2")
    {
        var opened = new List<ConnectionEvent>();
        for (var i = 0; i < count; i++)
        {
            var e = events.Opened(remote, 9000, localPort: 30000 + i, local: remote == "127.0.0.1" ? "127.0.0.1" : "198.51.100.1");
            h.Pipeline.OnEvent(e);
            opened.Add(e);
        }
        return opened;
    }

    [Fact]
    public void FortyNineHeldDoNotAlertAndTheFiftiethDoesByConcurrency()
    {
        var h = Harness();
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(77, "nc", "/usr/bin/nc"));
        OpenMany(h, app, 49);
        h.Tick();
        h.Tick(); // still 49 held, no new attempts
        Assert.Empty(h.Sink.Alerts);

        OpenMany(h, app, 1);
        var summary = h.Tick();
        var alert = Assert.Single(h.Sink.AlertsFor(ManyConnectionsDetector.RuleName));
        Assert.Equal(50, alert.Value);
        Assert.Equal(50, alert.Threshold);
        Assert.Equal("connections", alert.Unit);
        Assert.Equal(Severity.Medium, alert.Severity);
        Assert.Equal(TimeSpan.FromSeconds(5), alert.Window);
        Assert.Equal("nc (pid 77) held 50 outbound connections at once in 5 s, threshold 50", alert.Message);
        var stats = Assert.Single(summary.Processes);
        Assert.Equal((50, 50, 1, 0), (stats.OpenConnections, stats.PeakOpenConnections, stats.Attempts, stats.Failures));
    }

    [Fact]
    public void PeakWithinTheIntervalCountsEvenIfConnectionsClosedBeforeItsEnd()
    {
        var h = Harness();
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(77, "nc", "/usr/bin/nc"));
        OpenMany(h, app, 30);
        h.Tick();
        var more = OpenMany(h, app, 20); // 50 held at once, only 20 attempts this interval
        foreach (var e in more.Take(15))
        {
            h.Pipeline.OnEvent(app.Closed(e));
        }
        var summary = h.Tick();
        var alert = Assert.Single(h.Sink.AlertsFor(ManyConnectionsDetector.RuleName));
        Assert.Equal(50, alert.Value);
        Assert.Equal(35, Assert.Single(summary.Processes).OpenConnections);
    }

    [Fact]
    public void AttemptsIncludingFailuresAlertEvenWhenFewAreHeldAtOnce()
    {
        var h = Harness();
        var scanner = new SyntheticEvents(h.Clock, SyntheticEvents.Process(99, "scan", "/tmp/scan"));
        for (var i = 0; i < 120; i++)
        {
            var e = scanner.Opened("198.51.100.2", 1 + (i % 20)); // 20 ports: not a scan (whose incident would fold this in)
            h.Pipeline.OnEvent(e);
            h.Pipeline.OnEvent(scanner.Closed(e, failed: i < 80));
        }
        var summary = h.Tick();
        Assert.Empty(h.Sink.AlertsFor(ManyConnectionsDetector.RuleName)); // mostly failed: held one interval for a scan
        h.Tick();
        var alert = Assert.Single(h.Sink.AlertsFor(ManyConnectionsDetector.RuleName));
        Assert.Equal(120, alert.Value);
        Assert.Equal("scan (pid 99) attempted 120 connections (80 failed) in 5 s, threshold 50", alert.Message);
        var stats = Assert.Single(summary.Processes);
        Assert.Equal((0, 1, 120, 80), (stats.OpenConnections, stats.PeakOpenConnections, stats.Attempts, stats.Failures));
    }

    [Fact]
    public void FortyNineAttemptsDoNotAlertFiftyDo()
    {
        var h = Harness();
        var scanner = new SyntheticEvents(h.Clock, SyntheticEvents.Process(99, "scan", "/tmp/scan"));
        void Attempt(int n)
        {
            for (var i = 0; i < n; i++)
            {
                var e = scanner.Opened("198.51.100.2", 1 + (i % 20));
                h.Pipeline.OnEvent(e);
                h.Pipeline.OnEvent(scanner.Closed(e, failed: true));
            }
        }
        Attempt(49);
        h.Tick();
        Assert.Empty(h.Sink.AlertsFor(ManyConnectionsDetector.RuleName)); // (a scan folds it into its incident: see IncidentTrackerTests)
        Attempt(50);
        h.Tick();
        h.Tick(); // all failed: written one interval late (a scan crossing its threshold meanwhile would fold it in)
        Assert.Equal(50, Assert.Single(h.Sink.AlertsFor(ManyConnectionsDetector.RuleName)).Value);
    }

    [Fact]
    public void UdpFlowsAreNotConnections()
    {
        var h = Harness();
        var dns = new SyntheticEvents(h.Clock, SyntheticEvents.Process(5, "resolver", "/usr/sbin/resolver"));
        for (var i = 0; i < 60; i++)
        {
            h.Pipeline.OnEvent(dns.Opened("198.51.100.53", 53, Transport.Udp, localPort: 20000 + i));
        }
        var summary = h.Tick();
        Assert.Empty(h.Sink.Alerts);
        Assert.Equal((0, 0), (summary.Processes[0].Attempts, summary.Processes[0].OpenConnections));
    }

    [Fact]
    public void LoopbackConnectionsDoNotCountByDefault()
    {
        var h = Harness();
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(77, "nc", "/usr/bin/nc"));
        OpenMany(h, app, 60, "127.0.0.1");
        var summary = h.Tick();
        Assert.Empty(h.Sink.Records);
        Assert.Empty(summary.Processes);
        Assert.Equal(0, h.Pipeline.OpenConnectionCount);
    }

    [Fact]
    public void LoopbackConnectionsCountWithIncludeLoopback()
    {
        var h = Harness(includeLoopback: true);
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(77, "nc", "/usr/bin/nc"));
        OpenMany(h, app, 60, "127.0.0.1");
        h.Tick();
        Assert.Equal(60, Assert.Single(h.Sink.AlertsFor(ManyConnectionsDetector.RuleName)).Value);
    }

    [Fact]
    public void ConnectionsAreCountedPerProcess()
    {
        var h = Harness();
        OpenMany(h, new SyntheticEvents(h.Clock, SyntheticEvents.Process(1, "a", "/a")), 30);
        OpenMany(h, new SyntheticEvents(h.Clock, SyntheticEvents.Process(2, "b", "/b")), 30);
        h.Tick();
        Assert.Empty(h.Sink.Alerts);
    }
}
