using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Tests.Detection;

public class ScanDetectorTests
{
    private static PipelineHarness Harness() => new(new MonitorConfig
    {
        BaselineSamples = 0,
        ManyConnectionsThreshold = 100_000,
        ScanDistinctHostsThreshold = 100,
        ScanDistinctPortsThreshold = 30,
    }, learnBaseline: false);

    [Fact]
    public void PortSweepOfTwoHundredFailedConnectsAlertsOnceAtTheThirtiethPort()
    {
        var h = Harness();
        var nmap = new SyntheticEvents(h.Clock, SyntheticEvents.Process(99, "nmap", "/usr/bin/nmap"));
        for (int port = 1; port <= 200; port++)
        {
            var e = nmap.Opened("198.51.100.2", port);
            h.Pipeline.OnEvent(e);
            h.Pipeline.OnEvent(nmap.Closed(e, failed: true));
            if (port == 29)
            {
                Assert.Empty(h.Sink.AlertsFor(ScanDetector.RuleName));
            }
            h.Clock.AdvanceSeconds(0.01);
        }
        var alert = Assert.Single(h.Sink.AlertsFor(ScanDetector.RuleName));
        Assert.Equal((30.0, 30.0, "distinct_ports"), (alert.Value, alert.Threshold, alert.Unit));
        Assert.Equal(TimeSpan.FromSeconds(60), alert.Window);
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7", "8"], alert.Targets);
        // The real span (29 gaps of 10 ms), not the window; the rate; the attempts (each failed connect is one).
        Assert.Equal("nmap (pid 99) reached 1 distinct hosts and 30 distinct ports in 0.29 s (103.4 ports/s), 30 attempts, threshold 30 ports in 1 min 0 s; " +
                     "ports on 198.51.100.2: 1, 2, 3, 4, 5, 6, 7, 8, …", alert.Message);
        Assert.Equal(AttributionSource.Kernel, alert.Process.IdentifiedBy);
    }

    [Fact]
    public void AnEndedProcessIsForgottenSoItsPidReusedStartsAfreshButAPidActiveSinceTheExitIsKept()
    {
        var h = Harness();
        var first = new SyntheticEvents(h.Clock, SyntheticEvents.Process(99, "probe", "/usr/bin/probe"));
        for (int port = 1; port <= 29; port++) h.Pipeline.OnEvent(first.Opened("198.51.100.2", port));
        DateTimeOffset exited = h.Clock.Now;
        h.Clock.AdvanceSeconds(1);
        h.Pipeline.OnProcessEnded(99, exited);

        h.Pipeline.OnEvent(first.Opened("198.51.100.2", 30)); // pid 99 again: another process, one port so far
        Assert.Empty(h.Sink.AlertsFor(ScanDetector.RuleName));

        // The new pid 99 reaches 29 ports; an end stamped before its latest attempt is an older process's: kept.
        for (int port = 31; port <= 58; port++) h.Pipeline.OnEvent(first.Opened("198.51.100.2", port));
        h.Pipeline.OnProcessEnded(99, exited.AddSeconds(0.5));
        h.Pipeline.OnEvent(first.Opened("198.51.100.2", 59));
        Assert.Single(h.Sink.AlertsFor(ScanDetector.RuleName));
    }

    [Fact]
    public void AProcessForgottenAsIdleAtAnIntervalEndStartsAfreshAndKeepsWhatItDoesNext()
    {
        // The detector remembers the last process that made an attempt (a storm's are one process's): forgetting it as
        // idle must forget that too, or its next attempts would go to targets no longer held.
        var h = Harness();
        var probe = new SyntheticEvents(h.Clock, SyntheticEvents.Process(99, "probe", "/usr/bin/probe"));
        var other = new SyntheticEvents(h.Clock, SyntheticEvents.Process(100, "other", "/usr/bin/other"));
        for (int port = 1; port <= 29; port++) h.Pipeline.OnEvent(probe.Opened("198.51.100.2", port));
        h.Tick(61); // idle for longer than the window: forgotten

        for (int port = 101; port <= 115; port++) h.Pipeline.OnEvent(probe.Opened("198.51.100.2", port));
        h.Pipeline.OnEvent(other.Opened("198.51.100.3", 443));
        Assert.Empty(h.Sink.AlertsFor(ScanDetector.RuleName));
        for (int port = 116; port <= 130; port++) h.Pipeline.OnEvent(probe.Opened("198.51.100.2", port));
        var alert = Assert.Single(h.Sink.AlertsFor(ScanDetector.RuleName));
        Assert.Equal((30.0, "probe"), (alert.Value, alert.Process.Name));
    }

    [Fact]
    public void HostSweepAlertsOnDistinctHosts()
    {
        var h = Harness();
        var sweeper = new SyntheticEvents(h.Clock, SyntheticEvents.Process(7, "sweep", "/tmp/sweep"));
        for (int i = 0; i < 254; i++)
        {
            h.Pipeline.OnEvent(sweeper.Opened($"10.0.{i / 100}.{(i % 100) + 1}", 22));
        }
        var alert = Assert.Single(h.Sink.AlertsFor(ScanDetector.RuleName));
        Assert.Equal((100.0, 100.0, "distinct_hosts"), (alert.Value, alert.Threshold, alert.Unit));
        Assert.Equal(["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.7", "10.0.0.8"], alert.Targets);
    }

    [Fact]
    public void BrowserOpeningManyConnectionsToOneCdnIsNotAScan()
    {
        var h = Harness();
        var browser = new SyntheticEvents(h.Clock, SyntheticEvents.Process(300, "firefox", "/usr/lib/firefox/firefox"));
        for (int i = 0; i < 2000; i++)
        {
            var e = browser.Opened("198.51.100.80", 443, localPort: 30000 + i);
            h.Pipeline.OnEvent(e);
            h.Pipeline.OnEvent(browser.Closed(e, sentTotal: 1500));
            h.Clock.AdvanceSeconds(0.02);
        }
        Assert.Empty(h.Sink.AlertsFor(ScanDetector.RuleName));
    }

    [Fact]
    public void FailedClosesCountEvenWhenTheOpenedEventWasMissed()
    {
        var h = Harness();
        var probe = new SyntheticEvents(h.Clock, SyntheticEvents.Process(5, "probe", "/tmp/probe"));
        for (int port = 1000; port < 1030; port++)
        {
            h.Pipeline.OnEvent(probe.Closed(probe.Opened("198.51.100.9", port), failed: true));
        }
        Assert.Equal(30, Assert.Single(h.Sink.AlertsFor(ScanDetector.RuleName)).Value);
    }

    [Fact]
    public void TargetsOlderThanTheWindowDoNotCount()
    {
        var h = Harness();
        var slow = new SyntheticEvents(h.Clock, SyntheticEvents.Process(5, "slow", "/tmp/slow"));
        for (int port = 1; port <= 29; port++)
        {
            h.Pipeline.OnEvent(slow.Opened("198.51.100.9", port));
        }
        h.Clock.AdvanceSeconds(61);
        for (int port = 101; port <= 129; port++)
        {
            h.Pipeline.OnEvent(slow.Opened("198.51.100.9", port));
        }
        Assert.Empty(h.Sink.AlertsFor(ScanDetector.RuleName));
        h.Pipeline.OnEvent(slow.Opened("198.51.100.9", 130));
        Assert.Single(h.Sink.AlertsFor(ScanDetector.RuleName));
    }

    [Fact]
    public void TrackedTargetsAreCappedAndExactUpToTheCap()
    {
        var window = new DistinctTargetWindow<int>(capacity: 31);
        var t = ManualClock.Start;
        for (int i = 0; i < 100_000; i++)
        {
            window.Add(i, t);
        }
        Assert.Equal(31, window.Count);
        Assert.Equal(Enumerable.Range(0, 31), window.Values.Order());
        window.Expire(t.AddSeconds(1));
        Assert.Equal(0, window.Count);
    }
}
