using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Detection;

public class DetectionPipelineTests
{
    [Fact]
    public void LogConnectionsWritesOpenedAndClosedButNotTraffic()
    {
        var h = new PipelineHarness(new MonitorConfig { LogConnections = true, BaselineSamples = 1 });
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(8, "app", "/opt/app"));
        var tcp = app.Opened();
        var udp = app.Opened("198.51.100.53", 53, Transport.Udp);
        h.Pipeline.OnEvent(tcp);
        h.Pipeline.OnEvent(udp);
        h.Pipeline.OnEvent(app.Traffic(tcp, 100));
        h.Pipeline.OnEvent(app.Closed(tcp, sentTotal: 100));
        var refused = app.Opened(port: 1);
        h.Pipeline.OnEvent(refused);
        h.Pipeline.OnEvent(app.Closed(refused, failed: true));

        var lines = h.Sink.Records.OfType<ConnectionLogRecord>().ToList();
        Assert.Equal(["connection_opened", "udp_flow", "connection_closed", "connection_opened", "connection_failed"], lines.Select(l => l.Action));
        Assert.Same(tcp, lines[0].Event);
        Assert.Equal("test", lines[0].Source);
        Assert.Equal(tcp.Timestamp, lines[0].Timestamp);
        Assert.Equal(5, h.Sink.Records.Count); // nothing but the connection lines while learning
    }

    [Fact]
    public void AProcessForgottenAtAnIntervalEndIsCountedAgainWhenItComesBack()
    {
        // The per-process sums remember the last process (a storm's events are one process's): forgetting it at the
        // interval's end must forget that too, or its next events would be summed where no summary looks.
        var h = new PipelineHarness(new MonitorConfig { BaselineSamples = 0 }, learnBaseline: false);
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(8, "app", "/opt/app"));
        var other = new SyntheticEvents(h.Clock, SyntheticEvents.Process(9, "other", "/opt/other"));
        var first = app.Opened();
        h.Pipeline.OnEvent(first);
        h.Pipeline.OnEvent(app.Closed(first));
        Assert.Equal(1, Assert.Single(h.Tick().Processes).Attempts); // app holds nothing open: forgotten

        var again = app.Opened();
        h.Pipeline.OnEvent(again);
        h.Pipeline.OnEvent(other.Opened());
        h.Pipeline.OnEvent(app.Traffic(again, 500));
        var stats = h.Tick().Processes.Single(p => p.Pid == 8);
        Assert.Equal((1, 1, 500L), (stats.Attempts, stats.OpenConnections, stats.BytesSent));
        h.Pipeline.OnEvent(app.Closed(again, sentTotal: 500));
        Assert.Equal(1, h.Pipeline.OpenConnectionCount); // other's; app's close found its process
        Assert.Equal(0, h.Tick().Processes.Single(p => p.Pid == 8).OpenConnections);
    }

    [Fact]
    public void WithoutLogConnectionsNoConnectionLines()
    {
        var h = new PipelineHarness(new MonitorConfig { BaselineSamples = 1 });
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(8));
        var tcp = app.Opened();
        h.Pipeline.OnEvent(tcp);
        h.Pipeline.OnEvent(app.Closed(tcp));
        h.Tick();
        Assert.Empty(h.Sink.Records);
    }

    [Fact]
    public void LoopbackIsNeitherLoggedNorLearnedUnlessIncluded()
    {
        var excluded = new PipelineHarness(new MonitorConfig { LogConnections = true, BaselineSamples = 0 });
        var app = new SyntheticEvents(excluded.Clock, SyntheticEvents.Process(8));
        excluded.Pipeline.OnEvent(app.Opened("127.0.0.1", 6379, local: "127.0.0.1"));
        excluded.Pipeline.OnEvent(app.Opened("::1", 6379, local: "::1"));
        Assert.Empty(excluded.Sink.Records);
        Assert.Empty(excluded.Pipeline.LearnedDestinations);

        var included = new PipelineHarness(new MonitorConfig { LogConnections = true, BaselineSamples = 0, IncludeLoopback = true });
        var app2 = new SyntheticEvents(included.Clock, SyntheticEvents.Process(8));
        included.Pipeline.OnEvent(app2.Opened("127.0.0.1", 6379, local: "127.0.0.1"));
        Assert.Equal(2, included.Sink.Records.Count); // the connection line and the new_destination alert
        Assert.Single(included.Sink.AlertsFor(NewDestinationDetector.RuleName));
    }

    [Fact]
    public void SummaryReportsPerProcessFiguresBaselineAndTheIntervalsAlerts()
    {
        var h = new PipelineHarness(new MonitorConfig { IntervalSeconds = 5, BaselineSamples = 1, BytesPerSecThreshold = 1000 });
        var quiet = new SyntheticEvents(h.Clock, SyntheticEvents.Process(10, "quiet", "/bin/quiet"));
        var first = quiet.Opened();
        h.Pipeline.OnEvent(first);
        var learning = h.Tick();
        Assert.Equal(new BaselineProgress(1, 1), learning.Baseline);
        Assert.Empty(learning.Alerts);

        var loud = new SyntheticEvents(h.Clock, SyntheticEvents.Process(20, "loud", "/bin/loud"));
        var l1 = loud.Opened("198.51.100.7", 443);
        h.Pipeline.OnEvent(l1); // new destination: alert now
        h.Pipeline.OnEvent(loud.Traffic(l1, 10_000, received: 2_500));
        h.Pipeline.OnEvent(quiet.Traffic(first, 50));
        h.Pipeline.OnEvent(quiet.Closed(first));
        var failed = loud.Opened("198.51.100.7", 443);
        h.Pipeline.OnEvent(failed);
        h.Pipeline.OnEvent(loud.Closed(failed, failed: true));
        var summary = h.Tick(4, eventsLostTotal: 0, hostRate: 9000);

        Assert.Equal(TimeSpan.FromSeconds(4), summary.Window);
        Assert.Equal(h.Clock.Now, summary.End);
        Assert.Equal(9000, summary.HostBytesSentPerSecond);
        Assert.Equal(2, summary.AlertCount);
        Assert.Equal([NewDestinationDetector.RuleName, HighSendRateDetector.RuleName], summary.Alerts.Select(a => a.Rule));
        Assert.Equal(2, summary.Processes.Count);
        var top = summary.Processes[0];
        Assert.Equal((20, "loud"), (top.Pid, top.Name));
        Assert.Equal((10_000L, 2_500L, 2500.0, 625.0), (top.BytesSent, top.BytesReceived, top.BytesSentPerSecond, top.BytesReceivedPerSecond));
        Assert.Equal((1, 2, 2, 1), (top.OpenConnections, top.PeakOpenConnections, top.Attempts, top.Failures));
        var second = summary.Processes[1];
        Assert.Equal((10, 50L, 0, 1, 0), (second.Pid, second.BytesSent, second.OpenConnections, second.PeakOpenConnections, second.Attempts));

        // The next interval starts clean: alerts and counters do not carry over.
        var next = h.Tick();
        Assert.Empty(next.Alerts);
        var stillOpen = Assert.Single(next.Processes);
        Assert.Equal((20, 0L, 1, 1, 0), (stillOpen.Pid, stillOpen.BytesSent, stillOpen.OpenConnections, stillOpen.PeakOpenConnections, stillOpen.Attempts));
    }

    [Fact]
    public void LatestProcessIdentityWins()
    {
        var h = new PipelineHarness(new MonitorConfig { BaselineSamples = 5 });
        var early = new SyntheticEvents(h.Clock, SyntheticEvents.Process(30, "python3", null));
        var later = new SyntheticEvents(h.Clock, SyntheticEvents.Process(30, "python3", "/usr/bin/python3.13"));
        h.Pipeline.OnEvent(early.Opened());
        h.Pipeline.OnEvent(later.Opened(port: 80));
        Assert.Equal("/usr/bin/python3.13", Assert.Single(h.Tick().Processes).Process.Executable);
    }

    [Fact]
    public void TenThousandShortLivedProcessesLeaveNothingBehind()
    {
        var h = new PipelineHarness(new MonitorConfig { BaselineSamples = 1 });
        for (var pid = 1000; pid < 11_000; pid++)
        {
            var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(pid, "short", "/bin/short"));
            var e = app.Opened();
            h.Pipeline.OnEvent(e);
            h.Pipeline.OnEvent(app.Traffic(e, 10));
            h.Pipeline.OnEvent(app.Closed(e, sentTotal: 10));
        }
        Assert.Equal(10_000, h.Pipeline.TrackedProcessCount);
        var summary = h.Tick();
        Assert.Equal(10_000, summary.Processes.Count);
        Assert.Equal(0, h.Pipeline.TrackedProcessCount);
        Assert.Equal(0, h.Pipeline.OpenConnectionCount);
    }

    [Fact]
    public void AProcessHoldingAConnectionIsKeptUntilItClosesThenDropped()
    {
        var h = new PipelineHarness(new MonitorConfig { BaselineSamples = 1 });
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(5));
        var e = app.Opened();
        h.Pipeline.OnEvent(e);
        h.Tick();
        h.Tick();
        Assert.Equal(1, h.Pipeline.TrackedProcessCount);
        h.Pipeline.OnEvent(app.Closed(e));
        h.Tick();
        Assert.Equal(0, h.Pipeline.TrackedProcessCount);
    }

    [Fact]
    public void AConnectionIdOpenedTwiceCountsOnce()
    {
        var h = new PipelineHarness(new MonitorConfig { BaselineSamples = 1 });
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(5));
        var e = app.Opened(id: 424242);
        h.Pipeline.OnEvent(e);
        h.Pipeline.OnEvent(e);
        Assert.Equal(1, h.Pipeline.OpenConnectionCount);
        h.Pipeline.OnEvent(app.Closed(e));
        h.Pipeline.OnEvent(app.Closed(e)); // a duplicate close must not go negative
        var stats = Assert.Single(h.Tick().Processes);
        Assert.Equal((0, 1, 2), (stats.OpenConnections, stats.PeakOpenConnections, stats.Attempts));
    }
}
