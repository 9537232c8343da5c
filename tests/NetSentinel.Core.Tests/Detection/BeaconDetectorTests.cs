using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Detection;

public class BeaconDetectorTests
{
    private static PipelineHarness Harness(MonitorConfig? config = null) =>
        new((config ?? new MonitorConfig()) with { BaselineSamples = 0 }, learnBaseline: false);

    /// <summary>Connects, sends a request of about <paramref name="size"/> bytes and closes; returns how many beacon alerts exist after.</summary>
    private static int Connect(PipelineHarness h, SyntheticEvents process, string remote, int port, long size, Transport transport = Transport.Tcp)
    {
        var e = process.Opened(remote, port, transport);
        h.Pipeline.OnEvent(e);
        h.Pipeline.OnEvent(process.Traffic(e, size));
        h.Pipeline.OnEvent(process.Closed(e, sentTotal: size));
        return h.Sink.AlertsFor(BeaconDetector.RuleName).Count();
    }

    [Fact]
    public void PastTheSeriesCapTheStalestSeriesIsDroppedAndCounted()
    {
        var detector = new BeaconDetector(10, 32, 0.85, TimeSpan.FromSeconds(1));
        var clock = new ManualClock();
        var context = new AlertContext("test", clock.Now, 0, new BaselineProgress(0, 0));
        var process = new SyntheticEvents(clock, SyntheticEvents.Process(7, "updater", "/tmp/.updater"));
        // The stalest: a beacon's 9 connections, one short of min_connections.
        for (int n = 0; n < 9; n++)
        {
            detector.OnEvent(process.Opened("198.51.100.66", 8443), context);
            clock.AdvanceSeconds(2);
        }
        for (int i = 1; i < BeaconDetector.MaxTrackedSeries; i++)
        {
            detector.OnEvent(process.Opened($"198.18.{i >> 8}.{i & 0xff}", 443), context);
        }
        Assert.Equal(0, detector.Evictions);
        clock.AdvanceSeconds(1);
        detector.OnEvent(process.Opened("198.51.100.67", 443), context); // one more: the beacon's series makes room
        Assert.Equal(1, detector.Evictions);
        clock.AdvanceSeconds(1);
        Assert.Null(detector.OnEvent(process.Opened("198.51.100.66", 8443), context)); // its 10th connection starts a new count
    }

    [Fact]
    public void ABeaconReSpawnedEveryTwoSecondsIsOneIncidentCountingEveryRun()
    {
        // A shell loop or cron running the same executable: every run is a new pid, the series is the program's.
        var h = Harness();
        for (int run = 0; run < 20; run++)
        {
            var child = new SyntheticEvents(h.Clock, SyntheticEvents.Process(5000 + run, "updater", "/tmp/.updater"));
            Connect(h, child, "198.51.100.66", 8443, 300);
            h.Clock.AdvanceSeconds(2);
        }
        var opening = Assert.Single(h.Sink.AlertsFor(BeaconDetector.RuleName));
        Assert.Equal((IncidentPhase.Opened, 5009), (opening.Incident!.Phase, opening.Process.Pid)); // the 10th run
        h.Pipeline.Flush(h.Clock.Now);
        var closed = h.Sink.AlertsFor(BeaconDetector.RuleName).Last();
        Assert.Equal((IncidentPhase.Closed, opening.Incident.Id), (closed.Incident!.Phase, closed.Incident.Id));
        Assert.Equal((11L, 11L, 5019), (closed.Incident.Alerts, closed.Incident.Processes, closed.Process.Pid));
        using var json = System.Text.Json.JsonDocument.Parse(new EcsJsonFormatter("host").FormatLine(closed));
        var incident = json.RootElement.GetProperty("net_sentinel").GetProperty("incident");
        Assert.Equal((11, 11), (incident.GetProperty("alerts").GetInt32(), incident.GetProperty("processes").GetInt32()));
        using var opened = System.Text.Json.JsonDocument.Parse(new EcsJsonFormatter("host").FormatLine(opening));
        Assert.False(opened.RootElement.GetProperty("net_sentinel").GetProperty("incident").TryGetProperty("processes", out _)); // one process: not written
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void EveryTwoSecondsWithTenPercentJitterRaisesBeaconWithinTwelveConnections(int seed)
    {
        var random = new Random(seed);
        var h = Harness();
        var implant = new SyntheticEvents(h.Clock, SyntheticEvents.Process(666, "updater", "/tmp/.updater"));
        int firedAt = 0;
        for (int n = 1; n <= 12 && firedAt == 0; n++)
        {
            if (Connect(h, implant, "198.51.100.66", 8443, 300 + random.Next(-20, 21)) > 0)
            {
                firedAt = n;
            }
            h.Clock.AdvanceSeconds(2 * (0.9 + (0.2 * random.NextDouble())));
        }
        Assert.InRange(firedAt, 10, 12); // min_connections = 10
        var alert = Assert.Single(h.Sink.AlertsFor(BeaconDetector.RuleName));
        Assert.InRange(alert.PeriodSeconds!.Value, 1.8, 2.2);
        Assert.InRange(alert.Value, 0.85, 1.0);
        Assert.Equal(("score", 0.85, (long)firedAt), (alert.Unit, alert.Threshold, alert.Observations!.Value));
        Assert.Equal("198.51.100.66:8443", alert.Remote!.ToString());
        Assert.Equal(Severity.High, alert.Severity); // no program on the host had reached it
        Assert.True(alert.FirstSeenOnHost);
        Assert.Contains($"connects to 198.51.100.66:8443 (tcp, a destination new to every program on this host) every {HumanFormat.Duration(TimeSpan.FromSeconds(alert.PeriodSeconds.Value))}: beacon score", alert.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void ExponentialInterArrivalsDoNotRaiseBeacon(int seed)
    {
        var random = new Random(seed);
        var h = Harness();
        var user = new SyntheticEvents(h.Clock, SyntheticEvents.Process(100, "curl", "/usr/bin/curl"));
        for (int n = 0; n < 60; n++)
        {
            Connect(h, user, "198.51.100.10", 443, 300); // even with identical sizes
            h.Clock.AdvanceSeconds(-2 * Math.Log(1 - random.NextDouble()));
        }
        Assert.Empty(h.Sink.AlertsFor(BeaconDetector.RuleName));
    }

    [Fact]
    public void NtpLikePollingFromAnAllowlistedDaemonStaysQuietButWouldOtherwiseAlert()
    {
        var allowed = Harness(new MonitorConfig { AllowExecutables = new(["chronyd"]) });
        var bare = Harness();
        foreach (var h in new[] { allowed, bare })
        {
            var chronyd = new SyntheticEvents(h.Clock, SyntheticEvents.Process(55, "chronyd", "/usr/sbin/chronyd"));
            for (int n = 0; n < 20; n++)
            {
                Connect(h, chronyd, "198.51.100.123", 123, 48, Transport.Udp);
                h.Clock.AdvanceSeconds(64);
            }
        }
        Assert.Empty(allowed.Sink.Alerts);
        // At the 10th poll, then again each time the 300 s cooldown has passed.
        var alerts = bare.Sink.AlertsFor(BeaconDetector.RuleName).ToList();
        Assert.Equal([10L, 15L, 20L], alerts.Select(a => a.Observations!.Value));
        Assert.Equal(64, alerts[0].PeriodSeconds);
    }

    [Fact]
    public void ABurstFasterThanTheMinimumPeriodIsNotABeacon()
    {
        var h = Harness();
        var pool = new SyntheticEvents(h.Clock, SyntheticEvents.Process(9, "java", "/usr/bin/java"));
        for (int n = 0; n < 40; n++)
        {
            Connect(h, pool, "198.51.100.30", 5432, 100);
            h.Clock.AdvanceSeconds(0.01);
        }
        Assert.Empty(h.Sink.AlertsFor(BeaconDetector.RuleName));
    }

    [Fact]
    public void PerfectlyRegularSeriesScoresOneAndIrregularSizesLowerIt()
    {
        var start = ManualClock.Start;
        DateTimeOffset[] times = [.. Enumerable.Range(0, 10).Select(i => start.AddSeconds(60 * i))];
        var perfect = BeaconScore.Of(times, [100, 100, 100, 100, 100]);
        Assert.Equal((1.0, 1.0, 1.0, TimeSpan.FromSeconds(60)), (perfect.Score, perfect.TimingScore, perfect.SizeScore!.Value, perfect.Period));
        var ragged = BeaconScore.Of(times, [10, 5000, 100, 90000, 7]);
        Assert.Equal(1.0, ragged.TimingScore);
        Assert.True(ragged.Score < 0.8, $"score {ragged.Score}");
    }
}
