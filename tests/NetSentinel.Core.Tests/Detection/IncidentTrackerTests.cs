using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Detection;

/// <summary>Every incident transition, through the pipeline (the detectors' real alerts) and on the tracker alone.</summary>
public class IncidentTrackerTests
{
    private static PipelineHarness Harness(double cooldown = 300, double quiet = 60, int baselineSamples = 0) => new(new MonitorConfig
    {
        IntervalSeconds = 5,
        BaselineSamples = baselineSamples,
        AlertCooldownSeconds = cooldown,
        IncidentQuietSeconds = quiet,
        BytesPerSecThreshold = 1000,
    });

    private static AlertRecord Alert(int pid, string rule = HighSendRateDetector.RuleName, Severity severity = Severity.Medium,
        DateTimeOffset? at = null) => new()
        {
            Timestamp = at ?? ManualClock.Start,
            Source = "test",
            Rule = rule,
            Severity = severity,
            Message = $"m{pid}",
            Process = SyntheticEvents.Process(pid),
            Value = 2,
            Threshold = 1,
            Unit = "bytes_per_second",
            Window = TimeSpan.FromSeconds(5),
        };

    [Fact]
    public void FirstAlertOpensAnIncidentAndIsWrittenAsTheDetectorWroteIt()
    {
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), ManualClock.Start);
        var lines = new List<AlertRecord>();
        tracker.Add(Alert(1), ManualClock.Start, lines);
        var line = Assert.Single(lines);
        Assert.Equal("m1", line.Message);
        Assert.Equal(IncidentPhase.Opened, line.Incident!.Phase);
        Assert.Equal(1, line.Incident.Alerts);
        Assert.Equal(1, tracker.OpenCount);
    }

    [Fact]
    public void EvidenceWithinTheCooldownWritesNothingThenOneUpdateWithTheCountsSoFar()
    {
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), ManualClock.Start);
        var lines = new List<AlertRecord>();
        var t = ManualClock.Start;
        tracker.Add(Alert(1, at: t), t, lines);
        for (int i = 1; i <= 50; i++)
        {
            t = t.AddSeconds(5);
            tracker.Add(Alert(1, at: t), t, lines);
            tracker.Tick(t, lines);
        }
        Assert.Single(lines); // 250 s: still within the cooldown
        for (int i = 1; i <= 10; i++)
        {
            t = t.AddSeconds(5);
            tracker.Add(Alert(1, at: t), t, lines);
        }
        Assert.Equal(2, lines.Count);
        var update = lines[1];
        Assert.Equal(IncidentPhase.Updated, update.Incident!.Phase);
        Assert.Equal(lines[0].Incident!.Id, update.Incident.Id);
        Assert.Equal(61, update.Incident.Alerts); // at 300 s: the opening and 60 more
        Assert.Equal(TimeSpan.FromSeconds(300), update.Incident.Span);
        Assert.Contains($"— incident {update.Incident.Id} continues: 61 high_send_rate alerts in 5 min 0 s", update.Message);
    }

    [Fact]
    public void PendingEvidenceIsWrittenAtTheIntervalEndOnceTheCooldownHasPassed()
    {
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), ManualClock.Start);
        var lines = new List<AlertRecord>();
        var t = ManualClock.Start;
        tracker.Add(Alert(1, at: t), t, lines);
        tracker.Add(Alert(1, at: t.AddSeconds(2)), t.AddSeconds(2), lines);
        tracker.Tick(t.AddSeconds(5), lines);
        Assert.Single(lines);
        tracker.Tick(t.AddSeconds(10), lines);
        Assert.Equal(IncidentPhase.Updated, lines[^1].Incident!.Phase);
        tracker.Tick(t.AddSeconds(20), lines);
        Assert.Equal(2, lines.Count); // nothing new since: no second update
    }

    [Fact]
    public void ARiseInSeverityIsWrittenAtOnce()
    {
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), ManualClock.Start);
        var lines = new List<AlertRecord>();
        tracker.Add(Alert(1, severity: Severity.Low), ManualClock.Start, lines);
        tracker.Add(Alert(1, severity: Severity.Low), ManualClock.Start.AddSeconds(1), lines);
        tracker.Add(Alert(1, severity: Severity.High), ManualClock.Start.AddSeconds(2), lines);
        Assert.Equal(2, lines.Count);
        Assert.Equal((Severity.High, IncidentPhase.Updated, 3L), (lines[1].Severity, lines[1].Incident!.Phase, lines[1].Incident!.Alerts));
        Assert.EndsWith("(severity raised to high)", lines[1].Message);
    }

    [Fact]
    public void AQuietIncidentClosesWithItsTotalsAndASingletonClosesSilently()
    {
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), ManualClock.Start);
        var lines = new List<AlertRecord>();
        var t = ManualClock.Start;
        tracker.Add(Alert(1, at: t), t, lines);
        tracker.Add(Alert(1, at: t.AddSeconds(5)), t.AddSeconds(5), lines);
        tracker.Add(Alert(2, at: t), t, lines); // a singleton
        tracker.Tick(t.AddSeconds(64), lines);
        Assert.Equal(2, lines.Count); // the singleton (quiet since 0 s) closed without a line: its opening was its total
        Assert.Equal(1, tracker.OpenCount);
        tracker.Tick(t.AddSeconds(65), lines);
        Assert.Equal(0, tracker.OpenCount);
        var closed = Assert.Single(lines, l => l.Incident!.Phase == IncidentPhase.Closed);
        Assert.Equal((1, 2L), (closed.Process.Pid, closed.Incident!.Alerts));
        Assert.Contains("closed: 2 high_send_rate alerts in 5 s", closed.Message);

        // The same behaviour later is a new incident.
        tracker.Add(Alert(1, at: t.AddSeconds(100)), t.AddSeconds(100), lines);
        Assert.NotEqual(lines[0].Incident!.Id, lines[^1].Incident!.Id);
    }

    [Fact]
    public void StoppingClosesEveryIncidentWithEvidenceSoNoCountIsLost()
    {
        var h = Harness();
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(5, "app", "/opt/app"));
        h.Pipeline.OnEvent(app.Opened("198.51.100.7", 443));
        h.Pipeline.OnEvent(app.Opened("198.51.100.8", 443));
        Assert.Single(h.Sink.Alerts);
        h.Pipeline.Flush(h.Clock.Now);
        Assert.Equal([IncidentPhase.Opened, IncidentPhase.Closed], h.Sink.Alerts.Select(a => a.Incident!.Phase));
        Assert.Equal(0, h.Pipeline.OpenIncidentCount);
    }

    [Fact]
    public void APortSweepOfTwoHundredPortsIsOneIncidentOfAtMostThreeLines()
    {
        var h = Harness();
        var nmap = new SyntheticEvents(h.Clock, SyntheticEvents.Process(99, "nmap", "/usr/bin/nmap"));
        for (int port = 1; port <= 200; port++)
        {
            var e = nmap.Opened("198.51.100.2", port);
            h.Pipeline.OnEvent(e);
            h.Pipeline.OnEvent(nmap.Closed(e, failed: true));
            h.Clock.AdvanceSeconds(0.004);
        }
        h.Tick(); // many_connections (200 attempts) is folded into the scan
        h.Tick(60);
        h.Tick();

        var lines = h.Sink.Alerts.ToList();
        Assert.InRange(lines.Count, 1, 3);
        Assert.Equal(
            [(NewDestinationDetector.RuleName, IncidentPhase.Opened), (ScanDetector.RuleName, IncidentPhase.Opened), (ScanDetector.RuleName, IncidentPhase.Closed)],
            lines.Select(l => (l.Rule, l.Incident!.Phase)));
        var closed = lines[2];
        Assert.Equal(200, closed.Value); // distinct ports: how far it went, not where it crossed
        Assert.Equal([lines[0].Incident!.Id], lines[1].Incident!.Absorbed);
        Assert.Equal(
            [new KeyValuePair<string, long>(ManyConnectionsDetector.RuleName, 1), new KeyValuePair<string, long>(NewDestinationDetector.RuleName, 200)],
            closed.Incident!.Folded);
        Assert.Contains("reached 1 distinct hosts and 200 distinct ports in 0.8 s (251.3 ports/s), 200 attempts", closed.Message);
        Assert.EndsWith($"incident {closed.Incident!.Id} closed: 171 scan alerts in 0.8 s; folded in: 1 many_connections, 200 new_destination", closed.Message);
        Assert.Contains("reached 1 distinct hosts and 200 distinct ports in 0.8 s (251.3 ports/s), 200 attempts", closed.Message);
        Assert.EndsWith($"incident {closed.Incident!.Id} closed: 171 scan alerts in 0.8 s; folded in: 1 many_connections, 200 new_destination", closed.Message);
    }

    [Fact]
    public void AHostSweepOfOneHundredSixtyHostsIsOneIncidentOfAtMostThreeLines()
    {
        var h = Harness();
        var sweep = new SyntheticEvents(h.Clock, SyntheticEvents.Process(77, "sweep", "/tmp/sweep"));
        for (int i = 0; i < 160; i++)
        {
            var e = sweep.Opened($"198.18.{i / 200}.{1 + (i % 200)}", 22);
            h.Pipeline.OnEvent(e);
            h.Pipeline.OnEvent(sweep.Closed(e, failed: true));
            h.Clock.AdvanceSeconds(0.01);
        }
        h.Tick();
        h.Tick(120);
        var lines = h.Sink.Alerts.ToList();
        Assert.InRange(lines.Count, 1, 3);
        var scan = lines.Last();
        Assert.Equal((ScanDetector.RuleName, IncidentPhase.Closed, 160.0), (scan.Rule, scan.Incident!.Phase, scan.Value));
        Assert.Contains("reached 160 distinct hosts and 1 distinct ports", scan.Message);
    }

    [Fact]
    public void ManyNewDestinationsOfOneProcessAreOneLineListingTheFirstFewAndTheCount()
    {
        var h = Harness();
        var browser = new SyntheticEvents(h.Clock, SyntheticEvents.Process(31, "browser", "/usr/bin/browser"));
        for (int i = 1; i <= 40; i++)
        {
            h.Pipeline.OnEvent(browser.Opened($"198.18.{i}.10", 443));
            h.Clock.AdvanceSeconds(0.05);
        }
        h.Tick();
        h.Tick(60);
        var lines = h.Sink.Alerts.ToList();
        Assert.Equal([IncidentPhase.Opened, IncidentPhase.Updated, IncidentPhase.Closed], lines.Select(l => l.Incident!.Phase));
        Assert.All(lines, l => Assert.Equal(Severity.Low, l.Severity));
        Assert.Equal(40, lines[1].Value); // the interval's one line: all 40 so far
        var closed = lines[2];
        Assert.Equal((IncidentPhase.Closed, 40.0, "destinations"), (closed.Incident!.Phase, closed.Value, closed.Unit));
        Assert.Equal(8, closed.Targets!.Count);
        Assert.StartsWith("browser (pid 31) reached 40 new destinations in 1.95 s: 198.18.1.10:443/tcp, 198.18.2.10:443/tcp,", closed.Message);
        Assert.Contains(", … — incident", closed.Message);
        Assert.Null(closed.Remote);
    }

    [Fact]
    public void AProcessThatEndedHasItsIncidentsClosedAtTheNextIntervalEndWithTheirTotals()
    {
        // A fork storm of short-lived processes each opening an incident held them for the quiet time (60 s): no
        // more evidence can come once the process is gone, so they close at the interval end after its exit.
        var h = Harness();
        var worker = new SyntheticEvents(h.Clock, SyntheticEvents.Process(41, "worker", "/usr/bin/worker") with { Start = h.Clock.Now });
        var oneShot = new SyntheticEvents(h.Clock, SyntheticEvents.Process(42, "worker", "/usr/bin/worker") with { Start = h.Clock.Now });
        h.Pipeline.OnEvent(worker.Opened("198.18.1.10", 443));
        h.Pipeline.OnEvent(oneShot.Opened("198.18.2.10", 443));
        h.Clock.AdvanceSeconds(0.5);
        h.Pipeline.OnEvent(worker.Opened("198.18.3.10", 443));
        h.Pipeline.OnProcessEnded(41, h.Clock.Now);
        h.Pipeline.OnProcessEnded(42, h.Clock.Now);
        Assert.Equal(2, h.Pipeline.OpenIncidentCount); // the interval is not over: its own alerts may still come
        h.Tick();
        Assert.Equal(0, h.Pipeline.OpenIncidentCount);
        var lines = h.Sink.Alerts.ToList();
        Assert.Equal([(41, IncidentPhase.Opened), (42, IncidentPhase.Opened), (41, IncidentPhase.Closed)], lines.Select(l => (l.Process.Pid, l.Incident!.Phase)));
        Assert.Equal((2L, 2), (lines[2].Incident!.Alerts, lines[2].Incident!.Destinations)); // 42's opening was its total: closed silently
    }

    [Fact]
    public void APidReusedAfterTheExitKeepsTheNewProcesssIncidentAndABeaconOutlivesItsRuns()
    {
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), ManualClock.Start);
        var lines = new List<AlertRecord>();
        var t = ManualClock.Start;
        var reused = Alert(7, at: t.AddSeconds(4)) with { Process = SyntheticEvents.Process(7) with { Start = t.AddSeconds(4) } };
        tracker.Add(reused, t.AddSeconds(4), lines);
        var beacon = Alert(8, BeaconDetector.RuleName, at: t.AddSeconds(4)) with { Remote = SyntheticEvents.Endpoint("198.51.100.66", 8443), Transport = Transport.Tcp };
        tracker.Add(beacon, t.AddSeconds(4), lines);
        tracker.OnProcessEnded(7, t.AddSeconds(1)); // the earlier pid 7, ended 3 s before this one started
        tracker.OnProcessEnded(8, t.AddSeconds(4)); // one run of the beacon
        tracker.Tick(t.AddSeconds(5), lines);
        Assert.Equal(2, tracker.OpenCount);
        // Now this pid 7 is gone too (its /proc start may seem to lie up to a second after its exit: the boot time
        // is whole seconds); a tick forgets what it was told.
        tracker.OnProcessEnded(7, t.AddSeconds(3.5));
        tracker.Tick(t.AddSeconds(10), lines);
        tracker.Tick(t.AddSeconds(15), lines);
        Assert.Equal(1, tracker.OpenCount);
        Assert.Equal(2, lines.Count); // both openings, no closing line: each was its own total
    }

    [Fact]
    public void DifferentProcessesAndBehavioursAreDifferentIncidents()
    {
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), ManualClock.Start);
        var lines = new List<AlertRecord>();
        tracker.Add(Alert(1), ManualClock.Start, lines);
        tracker.Add(Alert(2), ManualClock.Start, lines);
        tracker.Add(Alert(1, ManyConnectionsDetector.RuleName), ManualClock.Start, lines);
        Assert.Equal(3, lines.Select(l => l.Incident!.Id).Distinct().Count());
    }

    [Fact]
    public void ABeaconFromAnotherPidOfTheSameProgramIsTheSameIncidentAndCountsTheProcesses()
    {
        // The beacon's score is over the program's series (every run's connections), so its incident is the series:
        // a beacon re-spawned by cron or a shell loop is one incident, not one per run.
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), ManualClock.Start);
        var lines = new List<AlertRecord>();
        var remote = SyntheticEvents.Endpoint("198.51.100.66", 8443);
        tracker.Add(Alert(1, BeaconDetector.RuleName) with { Remote = remote, Transport = Transport.Tcp }, ManualClock.Start, lines);
        tracker.Add(Alert(2, BeaconDetector.RuleName) with { Remote = remote, Transport = Transport.Tcp }, ManualClock.Start.AddSeconds(60), lines);
        tracker.Add(Alert(2, BeaconDetector.RuleName) with { Remote = remote, Transport = Transport.Tcp }, ManualClock.Start.AddSeconds(61), lines);
        Assert.Equal([1], lines.Select(l => l.Process.Pid));
        Assert.Equal(1, tracker.OpenCount);
        tracker.CloseAll(ManualClock.Start.AddSeconds(62), lines);
        var closed = lines[^1];
        Assert.Equal((IncidentPhase.Closed, 3L, 2L, 2), (closed.Incident!.Phase, closed.Incident.Alerts, closed.Incident.Processes, closed.Process.Pid));
        Assert.Contains("3 beacon alerts from 2 processes in", closed.Message);
    }

    [Fact]
    public void BeaconsOfTwoProgramsOrToTwoDestinationsAreTwoIncidents()
    {
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), ManualClock.Start);
        var lines = new List<AlertRecord>();
        var remote = SyntheticEvents.Endpoint("198.51.100.66", 8443);
        tracker.Add(Alert(1, BeaconDetector.RuleName) with { Remote = remote, Transport = Transport.Tcp }, ManualClock.Start, lines);
        tracker.Add(Alert(2, BeaconDetector.RuleName) with { Remote = remote, Transport = Transport.Tcp, Process = SyntheticEvents.Process(2, "curl", "/usr/bin/curl") }, ManualClock.Start, lines);
        tracker.Add(Alert(1, BeaconDetector.RuleName) with { Remote = SyntheticEvents.Endpoint("198.51.100.66", 8444), Transport = Transport.Tcp }, ManualClock.Start, lines);
        Assert.Equal(3, lines.Select(l => l.Incident!.Id).Distinct().Count());
        Assert.All(lines, l => Assert.Equal(IncidentPhase.Opened, l.Incident!.Phase));
    }

    [Fact]
    public void AnExfiltrationByOneRunOfAReSpawnedBeaconRaisesBothToHigh()
    {
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), ManualClock.Start);
        var lines = new List<AlertRecord>();
        var remote = SyntheticEvents.Endpoint("198.51.100.66", 8443);
        tracker.Add(Alert(1, BeaconDetector.RuleName) with { Remote = remote, Transport = Transport.Tcp }, ManualClock.Start, lines);
        tracker.Add(Alert(7, ExfiltrationDetector.RuleName) with { Remote = remote, Transport = Transport.Tcp }, ManualClock.Start.AddSeconds(1), lines);
        Assert.Equal([Severity.Medium, Severity.High, Severity.High], lines.Select(l => l.Severity));
        // Another program's exfiltration to the place is not the beacon's story.
        tracker.Add(Alert(8, ExfiltrationDetector.RuleName) with { Remote = remote, Transport = Transport.Tcp, Process = SyntheticEvents.Process(8, "curl", "/usr/bin/curl") }, ManualClock.Start.AddSeconds(2), lines);
        Assert.Equal(Severity.Medium, lines[^1].Severity);
    }

    [Fact]
    public void AnExfiltrationIsTheProgramsWhicheverRunCrossedAndOutlivesThatRun()
    {
        // The detector sums a program's bytes to an address over every run: two runs crossing it are one incident.
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), ManualClock.Start, TimeSpan.FromSeconds(5));
        var lines = new List<AlertRecord>();
        var remote = SyntheticEvents.Endpoint("198.51.100.66", 443);
        tracker.Add(Alert(1, ExfiltrationDetector.RuleName) with { Remote = remote, Transport = Transport.Tcp }, ManualClock.Start, lines);
        tracker.OnProcessEnded(1, ManualClock.Start.AddSeconds(1));
        tracker.Tick(ManualClock.Start.AddSeconds(5), lines);
        tracker.Add(Alert(2, ExfiltrationDetector.RuleName) with { Remote = remote, Transport = Transport.Tcp }, ManualClock.Start.AddSeconds(30), lines);
        // Another program's upload to the place, and the program's to another place, are stories of their own.
        tracker.Add(Alert(3, ExfiltrationDetector.RuleName) with { Remote = remote, Transport = Transport.Tcp, Process = SyntheticEvents.Process(3, "curl", "/usr/bin/curl") }, ManualClock.Start.AddSeconds(31), lines);
        tracker.Add(Alert(2, ExfiltrationDetector.RuleName) with { Remote = SyntheticEvents.Endpoint("198.51.100.67", 443), Transport = Transport.Tcp }, ManualClock.Start.AddSeconds(32), lines);
        Assert.Equal(3, tracker.OpenCount);
        tracker.CloseAll(ManualClock.Start.AddSeconds(40), lines);

        var first = lines.Where(l => l.Incident!.Id == lines[0].Incident!.Id).ToList();
        Assert.Equal([IncidentPhase.Opened, IncidentPhase.Closed], first.Select(l => l.Incident!.Phase));
        Assert.Equal((2L, 2L, 2), (first[^1].Incident!.Alerts, first[^1].Incident!.Processes, first[^1].Process.Pid));
        Assert.Contains("2 exfiltration alerts from 2 processes in", first[^1].Message);
    }

    [Fact]
    public void AnOpenIncidentLetsGoOfItsOpeningAlertOnceWritten()
    {
        // The opening names a process (args, ancestry) that may have exited long ago: the latest alert stands for
        // the incident, the opening is not kept twice.
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), ManualClock.Start);
        var lines = new List<AlertRecord>();
        var remote = SyntheticEvents.Endpoint("198.51.100.66", 8443);
        var opening = Open(tracker, lines, remote);
        tracker.Add(Alert(2, BeaconDetector.RuleName) with { Remote = remote, Transport = Transport.Tcp }, ManualClock.Start.AddSeconds(2), lines);
        lines.Clear();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(opening.IsAlive);
        Assert.Equal(1, tracker.OpenCount);
        tracker.CloseAll(ManualClock.Start.AddSeconds(3), lines);
        Assert.Equal((2L, 2), (Assert.Single(lines).Incident!.Alerts, lines[0].Process.Pid));

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        static WeakReference Open(IncidentTracker tracker, List<AlertRecord> lines, System.Net.IPEndPoint remote)
        {
            var alert = Alert(1, BeaconDetector.RuleName) with { Remote = remote, Transport = Transport.Tcp };
            tracker.Add(alert, ManualClock.Start, lines);
            return new WeakReference(alert);
        }
    }

    [Fact]
    public void ABeaconIncidentStaysOpenForThreePeriodsWhenThatIsLongerThanTheQuietTime()
    {
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), ManualClock.Start);
        var lines = new List<AlertRecord>();
        var beacon = Alert(1, BeaconDetector.RuleName) with { Remote = SyntheticEvents.Endpoint("198.51.100.66", 443), PeriodSeconds = 120 };
        tracker.Add(beacon, ManualClock.Start, lines);
        tracker.Add(beacon with { Timestamp = ManualClock.Start.AddSeconds(120) }, ManualClock.Start.AddSeconds(120), lines);
        tracker.Tick(ManualClock.Start.AddSeconds(120 + 359), lines);
        Assert.Equal(1, tracker.OpenCount);
        tracker.Tick(ManualClock.Start.AddSeconds(120 + 360), lines);
        Assert.Equal(0, tracker.OpenCount);
        Assert.Equal(IncidentPhase.Closed, lines[^1].Incident!.Phase);
    }

    [Fact]
    public void BeaconAndExfiltrationToTheSameNewDestinationRaiseBothToHigh()
    {
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), ManualClock.Start);
        var lines = new List<AlertRecord>();
        var remote = SyntheticEvents.Endpoint("198.51.100.66", 8443);
        tracker.Add(Alert(1, BeaconDetector.RuleName, Severity.Medium) with { Remote = remote, Transport = Transport.Tcp }, ManualClock.Start, lines);
        tracker.Add(Alert(1, ExfiltrationDetector.RuleName, Severity.Medium) with { Remote = remote, Transport = Transport.Tcp }, ManualClock.Start.AddSeconds(1), lines);
        Assert.Equal(3, lines.Count);
        var (beaconUpdate, exfiltrationOpening) = (lines[1], lines[2]);
        Assert.Equal((BeaconDetector.RuleName, IncidentPhase.Updated, Severity.High), (beaconUpdate.Rule, beaconUpdate.Incident!.Phase, beaconUpdate.Severity));
        Assert.Equal((ExfiltrationDetector.RuleName, IncidentPhase.Opened, Severity.High), (exfiltrationOpening.Rule, exfiltrationOpening.Incident!.Phase, exfiltrationOpening.Severity));
        Assert.EndsWith($"(raised to high: beacon incident {lines[0].Incident!.Id} to the same new destination)", exfiltrationOpening.Message);
    }

    [Fact]
    public void ABeaconToAKnownDestinationIsNotRaisedByAnExfiltrationElsewhere()
    {
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), ManualClock.Start);
        var lines = new List<AlertRecord>();
        tracker.Add(Alert(1, BeaconDetector.RuleName, Severity.Low) with { Remote = SyntheticEvents.Endpoint("198.51.100.66", 443) }, ManualClock.Start, lines);
        tracker.Add(Alert(1, ExfiltrationDetector.RuleName, Severity.High) with { Remote = SyntheticEvents.Endpoint("198.51.100.66", 443) }, ManualClock.Start, lines);
        tracker.Add(Alert(1, ExfiltrationDetector.RuleName, Severity.High) with { Remote = SyntheticEvents.Endpoint("198.51.100.99", 443) }, ManualClock.Start, lines);
        Assert.Equal([Severity.Low, Severity.High, Severity.High], lines.Select(l => l.Severity));
        Assert.Equal(3, lines.Count);
    }

    [Fact]
    public void PastTheOpenIncidentCapTheStalestClosesWithItsLine()
    {
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(3600), ManualClock.Start);
        var lines = new List<AlertRecord>();
        var t = ManualClock.Start;
        tracker.Add(Alert(1, at: t), t, lines);
        tracker.Add(Alert(1, at: t.AddSeconds(1)), t.AddSeconds(1), lines);
        for (int pid = 2; pid <= IncidentTracker.MaxOpenIncidents; pid++)
        {
            tracker.Add(Alert(pid, at: t.AddSeconds(2)), t.AddSeconds(2), lines);
        }
        Assert.Equal(IncidentTracker.MaxOpenIncidents, tracker.OpenCount);
        tracker.Add(Alert(IncidentTracker.MaxOpenIncidents + 1, at: t.AddSeconds(3)), t.AddSeconds(3), lines);
        Assert.Equal(IncidentTracker.MaxOpenIncidents, tracker.OpenCount);
        var closed = Assert.Single(lines, l => l.Incident!.Phase == IncidentPhase.Closed);
        Assert.Equal((1, 2L), (closed.Process.Pid, closed.Incident!.Alerts));
        Assert.Equal(1, tracker.Evictions); // counted for net_sentinel_incidents_evicted_total
    }

    [Fact]
    public void ASweepWhoseFailedConnectsCrossManyConnectionsBeforeTheScanThresholdWritesNoManyConnectionsLine()
    {
        // 60 hosts/s over 1 s intervals: 60 failed connects end an interval before the 100th host is reached.
        var h = new PipelineHarness(new MonitorConfig { IntervalSeconds = 1, BaselineSamples = 0 });
        var sweep = new SyntheticEvents(h.Clock, SyntheticEvents.Process(78, "sweep", "/tmp/sweep"));
        for (int i = 0; i < 160; i++)
        {
            var e = sweep.Opened($"198.18.0.{1 + i}", 22);
            h.Pipeline.OnEvent(e);
            h.Pipeline.OnEvent(sweep.Closed(e, failed: true));
            h.Clock.AdvanceSeconds(1.0 / 60);
            if (i % 60 == 59)
            {
                h.Tick(0); // an interval ends every 60 hosts
            }
        }
        h.Tick(120);
        var lines = h.Sink.Alerts.ToList();
        Assert.DoesNotContain(lines, l => l.Rule == ManyConnectionsDetector.RuleName);
        var closed = lines.Last();
        Assert.Equal((ScanDetector.RuleName, IncidentPhase.Closed), (closed.Rule, closed.Incident!.Phase));
        Assert.Contains(ManyConnectionsDetector.RuleName, closed.Incident.Folded.Select(f => f.Key));
        Assert.Contains(closed.Incident.Absorbed, id => id.EndsWith("-2", StringComparison.Ordinal)); // the held incident, never written
    }

    [Fact]
    public void AHeldManyConnectionsOpeningIsWrittenAtTheNextTickWhenNoScanCame()
    {
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), ManualClock.Start);
        var lines = new List<AlertRecord>();
        var failedAttempts = Alert(1, ManyConnectionsDetector.RuleName) with { MayPrecedeScan = true };
        tracker.Add(failedAttempts, ManualClock.Start, lines);
        tracker.Tick(ManualClock.Start, lines); // the tick of the interval that raised it
        Assert.Empty(lines);
        tracker.Tick(ManualClock.Start.AddSeconds(5), lines);
        var opened = Assert.Single(lines);
        Assert.Equal((ManyConnectionsDetector.RuleName, IncidentPhase.Opened, "m1"), (opened.Rule, opened.Incident!.Phase, opened.Message));
    }

    [Fact]
    public void AHeldOpeningIsWrittenWhenTheMonitorStops()
    {
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), ManualClock.Start);
        var lines = new List<AlertRecord>();
        tracker.Add(Alert(1, ManyConnectionsDetector.RuleName) with { MayPrecedeScan = true }, ManualClock.Start, lines);
        tracker.CloseAll(ManualClock.Start, lines);
        Assert.Equal(IncidentPhase.Opened, Assert.Single(lines).Incident!.Phase);
    }
}
