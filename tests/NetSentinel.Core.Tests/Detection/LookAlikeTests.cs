using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Detection;

/// <summary>
/// Each benign look-alike beside the attack it resembles: the same shape of traffic, told apart by the baseline,
/// host-wide rarity, regularity or direction of bytes. The look-alike may write low lines, never medium or higher.
/// </summary>
public class LookAlikeTests
{
    private static PipelineHarness Harness(KnownDestinationSeverity known = KnownDestinationSeverity.Low) => new(new MonitorConfig
    {
        IntervalSeconds = 5,
        BaselineSamples = 1,
        BeaconKnownDestinations = known,
        ExfiltrationWindowSeconds = 600,
        ExfiltrationBytesThreshold = 1_000_000,
    });

    /// <summary>Learns <paramref name="remote"/> for the program during the one baseline interval.</summary>
    private static void Learn(PipelineHarness h, SyntheticEvents program, string remote, int port, Transport transport = Transport.Tcp)
    {
        var e = program.Opened(remote, port, transport);
        h.Pipeline.OnEvent(e);
        if (transport == Transport.Tcp)
        {
            h.Pipeline.OnEvent(program.Closed(e));
        }
        h.Tick();
    }

    /// <summary>Connects every <paramref name="period"/> s ± 10 % (TCP: open and close; UDP: the flow, then a session each time).</summary>
    private static void Periodic(PipelineHarness h, SyntheticEvents program, string remote, int port, int times, double period = 5,
        Transport transport = Transport.Tcp, int seed = 1)
    {
        var random = new Random(seed);
        var flow = program.Opened(remote, port, transport);
        for (int n = 0; n < times; n++)
        {
            if (transport == Transport.Tcp)
            {
                var e = program.Opened(remote, port);
                h.Pipeline.OnEvent(e);
                h.Pipeline.OnEvent(program.Closed(e, sentTotal: 200));
            }
            else
            {
                h.Pipeline.OnEvent(n == 0 ? flow with { Timestamp = h.Clock.Now } : flow with { Kind = ConnectionEventKind.Resumed, Timestamp = h.Clock.Now });
            }
            h.Clock.AdvanceSeconds(period * (0.9 + (0.2 * random.NextDouble())));
        }
    }

    private static IEnumerable<AlertRecord> MediumOrAbove(PipelineHarness h) => h.Sink.Alerts.Where(a => a.Severity >= Severity.Medium);

    [Fact]
    public void HeartbeatToAKnownServerIsLowWhileTheSameRhythmToANewServerIsHigh()
    {
        var h = Harness();
        var agent = new SyntheticEvents(h.Clock, SyntheticEvents.Process(10, "agent", "/usr/bin/agent"));
        var implant = new SyntheticEvents(h.Clock, SyntheticEvents.Process(11, "implant", "/tmp/implant"));
        Learn(h, agent, "198.51.100.20", 443);
        Periodic(h, agent, "198.51.100.20", 443, 14);
        Periodic(h, implant, "198.18.7.7", 443, 14);

        var agentBeacon = Assert.Single(h.Sink.AlertsFor(BeaconDetector.RuleName), a => a.Process.Pid == 10);
        Assert.Equal(Severity.Low, agentBeacon.Severity);
        Assert.Contains("a destination in its baseline", agentBeacon.Message);
        Assert.DoesNotContain(MediumOrAbove(h), a => a.Process.Pid == 10);

        var implantBeacon = h.Sink.AlertsFor(BeaconDetector.RuleName).First(a => a.Process.Pid == 11);
        Assert.Equal((Severity.High, true), (implantBeacon.Severity, implantBeacon.FirstSeenOnHost));
    }

    [Theory]
    [InlineData(KnownDestinationSeverity.Ignore, null)]
    [InlineData(KnownDestinationSeverity.Alert, Severity.Medium)]
    public void KnownDestinationsSettingDecidesWhatAHeartbeatRaises(KnownDestinationSeverity known, Severity? expected)
    {
        var h = Harness(known);
        var agent = new SyntheticEvents(h.Clock, SyntheticEvents.Process(10, "agent", "/usr/bin/agent"));
        Learn(h, agent, "198.51.100.20", 443);
        Periodic(h, agent, "198.51.100.20", 443, 14);
        Assert.Equal(expected, h.Sink.AlertsFor(BeaconDetector.RuleName).FirstOrDefault()?.Severity);
    }

    [Fact]
    public void ABeaconToAPlaceAnotherProgramUsesIsMediumNotHigh()
    {
        var h = Harness();
        var browser = new SyntheticEvents(h.Clock, SyntheticEvents.Process(12, "browser", "/usr/bin/browser"));
        var implant = new SyntheticEvents(h.Clock, SyntheticEvents.Process(13, "implant", "/tmp/implant"));
        Learn(h, browser, "198.51.100.30", 443);
        Periodic(h, implant, "198.51.100.30", 443, 12);
        var beacon = h.Sink.AlertsFor(BeaconDetector.RuleName).First();
        Assert.Equal((Severity.Medium, false), (beacon.Severity, beacon.FirstSeenOnHost));
        Assert.Contains("a destination new to the program", beacon.Message);

        // new_destination says the same about host-wide rarity.
        var newDestination = Assert.Single(h.Sink.AlertsFor(NewDestinationDetector.RuleName));
        Assert.False(newDestination.FirstSeenOnHost);
    }

    [Fact]
    public void NtpLikeUdpToAKnownServerIsLowWhileAUdpBeaconToANewHostIsHigh()
    {
        var h = Harness();
        var ntp = new SyntheticEvents(h.Clock, SyntheticEvents.Process(20, "ntpclient", "/usr/sbin/ntpclient"));
        var c2 = new SyntheticEvents(h.Clock, SyntheticEvents.Process(21, "udpbeacon", "/tmp/udpbeacon"));
        Learn(h, ntp, "198.51.100.123", 123, Transport.Udp);
        Periodic(h, ntp, "198.51.100.123", 123, 14, period: 3, Transport.Udp);
        Periodic(h, c2, "198.18.9.9", 53, 14, period: 3, Transport.Udp, seed: 2);

        Assert.DoesNotContain(MediumOrAbove(h), a => a.Process.Pid == 20);
        Assert.Equal(Severity.Low, h.Sink.AlertsFor(BeaconDetector.RuleName).First(a => a.Process.Pid == 20).Severity);
        var udpBeacon = h.Sink.AlertsFor(BeaconDetector.RuleName).First(a => a.Process.Pid == 21);
        Assert.Equal((Severity.High, Transport.Udp), (udpBeacon.Severity, udpBeacon.Transport));
        Assert.Contains("sends to 198.18.9.9:53 (udp, a destination new to every program on this host) every ", udpBeacon.Message);
    }

    [Fact]
    public void CdnFanInIsLowWhileAHostSweepIsAScan()
    {
        var h = Harness();
        var browser = new SyntheticEvents(h.Clock, SyntheticEvents.Process(30, "browser", "/usr/bin/browser"));
        var sweeper = new SyntheticEvents(h.Clock, SyntheticEvents.Process(31, "sweeper", "/tmp/sweeper"));
        h.Tick(); // baseline learned (empty)
        for (int i = 1; i <= 40; i++)
        {
            h.Pipeline.OnEvent(browser.Opened($"198.18.{i}.10", 443));
        }
        for (int i = 1; i <= 160; i++)
        {
            var e = sweeper.Opened($"198.19.{i}.1", 22);
            h.Pipeline.OnEvent(e);
            h.Pipeline.OnEvent(sweeper.Closed(e, failed: true));
        }
        h.Tick();
        h.Tick(120);
        Assert.DoesNotContain(MediumOrAbove(h), a => a.Process.Pid == 30);
        Assert.InRange(h.Sink.Alerts.Count(a => a.Process.Pid == 30), 1, 3);
        Assert.Contains(h.Sink.AlertsFor(ScanDetector.RuleName), a => a.Process.Pid == 31 && a.Severity == Severity.Medium);
        Assert.InRange(h.Sink.Alerts.Count(a => a.Process.Pid == 31), 1, 3);
    }

    [Fact]
    public void BackupToAKnownServerAndALargeDownloadAreQuietWhileAnUploadToANewHostIsExfiltration()
    {
        var h = Harness();
        var backup = new SyntheticEvents(h.Clock, SyntheticEvents.Process(40, "backup", "/usr/bin/backup"));
        var download = new SyntheticEvents(h.Clock, SyntheticEvents.Process(41, "download", "/usr/bin/download"));
        var upload = new SyntheticEvents(h.Clock, SyntheticEvents.Process(42, "uploader", "/tmp/uploader"));
        Learn(h, backup, "198.51.100.40", 22);
        var b = backup.Opened("198.51.100.40", 22);
        var d = download.Opened("198.51.100.41", 443);
        var u = upload.Opened("198.18.4.2", 443);
        foreach (var e in new[] { b, d, u })
        {
            h.Pipeline.OnEvent(e);
        }
        for (int i = 0; i < 10; i++)
        {
            h.Pipeline.OnEvent(backup.Traffic(b, 200_000, 1_000));
            h.Pipeline.OnEvent(download.Traffic(d, 1_000, 200_000));
            h.Pipeline.OnEvent(upload.Traffic(u, 200_000, 1_000));
            h.Tick();
        }
        Assert.DoesNotContain(MediumOrAbove(h), a => a.Process.Pid is 40 or 41);
        Assert.Contains(h.Sink.AlertsFor(ExfiltrationDetector.RuleName), a => a.Process.Pid == 42 && a.Severity == Severity.High);
    }

    [Fact]
    public void ABeaconThatAlsoExfiltratesToTheSameNewHostIsHighInBothIncidents()
    {
        var h = Harness();
        var implant = new SyntheticEvents(h.Clock, SyntheticEvents.Process(50, "implant", "/tmp/implant"));
        var browser = new SyntheticEvents(h.Clock, SyntheticEvents.Process(51, "browser", "/usr/bin/browser"));
        Learn(h, browser, "198.18.5.5", 443); // known to the host: the beacon alone is medium
        Periodic(h, implant, "198.18.5.5", 443, 12);
        Assert.Equal(Severity.Medium, h.Sink.AlertsFor(BeaconDetector.RuleName).First().Severity);

        var e = implant.Opened("198.18.5.5", 443);
        h.Pipeline.OnEvent(e);
        h.Pipeline.OnEvent(implant.Traffic(e, 2_000_000));
        var raised = h.Sink.AlertsFor(BeaconDetector.RuleName).Last();
        Assert.Equal((Severity.High, IncidentPhase.Updated), (raised.Severity, raised.Incident!.Phase));
        Assert.Equal(Severity.High, h.Sink.AlertsFor(ExfiltrationDetector.RuleName).Single().Severity);
    }

    [Fact]
    public void AFastBackupToAKnownServerIsALowSendRateWhileTheSameBurstToANewHostIsMedium()
    {
        var h = Harness();
        var backup = new SyntheticEvents(h.Clock, SyntheticEvents.Process(60, "backup", "/usr/bin/backup"));
        var upload = new SyntheticEvents(h.Clock, SyntheticEvents.Process(61, "uploader", "/tmp/uploader"));
        Learn(h, backup, "198.51.100.60", 22);
        var b = backup.Opened("198.51.100.60", 22);
        var u = upload.Opened("198.18.6.6", 22);
        h.Pipeline.OnEvent(b);
        h.Pipeline.OnEvent(u);
        // 60 MB in one 5 s interval: 12 MB/s against the default 5 MB/s threshold, from both.
        h.Pipeline.OnEvent(backup.Traffic(b, 60_000_000, 10_000));
        h.Pipeline.OnEvent(upload.Traffic(u, 60_000_000, 10_000));
        h.Tick();

        var usual = Assert.Single(h.Sink.AlertsFor(HighSendRateDetector.RuleName), a => a.Process.Pid == 60);
        Assert.Equal(Severity.Low, usual.Severity);
        Assert.Contains("of it to destinations in its baseline", usual.Message);
        Assert.DoesNotContain(MediumOrAbove(h), a => a.Process.Pid == 60);
        Assert.Equal(Severity.Medium, Assert.Single(h.Sink.AlertsFor(HighSendRateDetector.RuleName), a => a.Process.Pid == 61).Severity);
    }

    [Fact]
    public void AKnownServerDoesNotHideABurstToANewHostFromTheSameProcess()
    {
        var h = Harness();
        var backup = new SyntheticEvents(h.Clock, SyntheticEvents.Process(62, "backup", "/usr/bin/backup"));
        Learn(h, backup, "198.51.100.62", 22);
        var known = backup.Opened("198.51.100.62", 22);
        var unknown = backup.Opened("198.18.6.7", 22);
        h.Pipeline.OnEvent(known);
        h.Pipeline.OnEvent(unknown);
        h.Pipeline.OnEvent(backup.Traffic(known, 30_000_000));
        h.Pipeline.OnEvent(backup.Traffic(unknown, 30_000_000)); // 6 MB/s to a new host alone is over 5 MB/s
        h.Tick();
        Assert.Equal(Severity.Medium, Assert.Single(h.Sink.AlertsFor(HighSendRateDetector.RuleName)).Severity);
    }

    [Fact]
    public void ADomainKeyedBeaconAndAnAddressKeyedExfiltrationToTheSameHostAreHighTogether()
    {
        var h = Harness();
        var implant = new SyntheticEvents(h.Clock, SyntheticEvents.Process(70, "implant", "/tmp/implant"));
        var browser = new SyntheticEvents(h.Clock, SyntheticEvents.Process(71, "browser", "/usr/bin/browser"));
        Learn(h, browser, "198.18.7.70", 443); // known to the host: the beacon alone is medium
        var names = new NetSentinel.Core.Dns.DomainNames("c2.example", []);
        var random = new Random(3);
        for (int n = 0; n < 12; n++)
        {
            var e = implant.Opened("198.18.7.70", 443) with { Names = names };
            h.Pipeline.OnEvent(e);
            h.Pipeline.OnEvent(implant.Closed(e, sentTotal: 200));
            h.Clock.AdvanceSeconds(5 * (0.9 + (0.2 * random.NextDouble())));
        }
        var beacon = h.Sink.AlertsFor(BeaconDetector.RuleName).First();
        Assert.Equal(Severity.Medium, beacon.Severity);
        Assert.Equal("c2.example", beacon.Names?.Domain);

        var upload = implant.Opened("198.18.7.70", 443);
        h.Pipeline.OnEvent(upload);
        h.Pipeline.OnEvent(implant.Traffic(upload, 2_000_000));
        var raised = h.Sink.AlertsFor(BeaconDetector.RuleName).Last();
        Assert.Equal((Severity.High, IncidentPhase.Updated), (raised.Severity, raised.Incident!.Phase));
        Assert.Contains("raised to high", raised.Message);
        Assert.Equal(Severity.High, h.Sink.AlertsFor(ExfiltrationDetector.RuleName).Single().Severity);
    }
}
