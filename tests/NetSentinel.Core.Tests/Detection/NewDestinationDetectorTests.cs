using System.Net;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Detection;

public class NewDestinationDetectorTests
{
    private static PipelineHarness Harness(int baselineSamples = 3, bool learn = true) =>
        new(new MonitorConfig { IntervalSeconds = 5, BaselineSamples = baselineSamples }, learn);

    private static void LearnThroughBaseline(PipelineHarness h, SyntheticEvents events, int samples)
    {
        for (var i = 0; i < samples; i++)
        {
            h.Pipeline.OnEvent(events.Opened("198.51.100.2", 443, localPort: 40000 + i));
            Assert.True(h.Pipeline.BaselineProgress.IsLearning);
            h.Tick();
        }
    }

    [Fact]
    public void DestinationSeenWhileLearningNeverAlertsEvenFromAnotherLocalPortOrState()
    {
        var h = Harness();
        var curl = new SyntheticEvents(h.Clock, SyntheticEvents.Process(42, "curl", "/usr/bin/curl"));
        LearnThroughBaseline(h, curl, 3);
        Assert.Equal(new BaselineProgress(3, 3), h.Pipeline.BaselineProgress);
        Assert.False(h.Pipeline.BaselineProgress.IsLearning);

        var again = curl.Opened("198.51.100.2", 443, localPort: 51234);
        h.Pipeline.OnEvent(again);
        h.Pipeline.OnEvent(curl.Traffic(again, 10));
        h.Pipeline.OnEvent(curl.Closed(again, failed: true));
        h.Tick();
        Assert.Empty(h.Sink.AlertsFor(NewDestinationDetector.RuleName));
    }

    [Fact]
    public void NewDestinationAfterLearningAlertsAtTheOpenedEventNotAtIntervalEnd()
    {
        var h = Harness();
        var curl = new SyntheticEvents(h.Clock, SyntheticEvents.Process(42, "curl", "/usr/bin/curl"));
        LearnThroughBaseline(h, curl, 3);
        h.Clock.AdvanceSeconds(1.5);

        h.Pipeline.OnEvent(curl.Opened("198.51.100.9", 8443, localPort: 40100));

        // Written by OnEvent itself, before any EndInterval.
        var alert = Assert.Single(h.Sink.AlertsFor(NewDestinationDetector.RuleName));
        Assert.Equal(Severity.Low, alert.Severity);
        Assert.Equal(1, alert.Value);
        Assert.Equal(0, alert.Threshold);
        Assert.Equal("destination", alert.Unit);
        Assert.Equal(TimeSpan.FromSeconds(16.5), alert.Window); // observed since the pipeline started
        Assert.Equal(h.Clock.Now, alert.Timestamp);
        Assert.Equal(Transport.Tcp, alert.Transport);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.9"), 8443), alert.Remote);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40100), alert.Local);
        Assert.Equal("/usr/bin/curl", alert.Process.Executable);
        Assert.Equal(3, alert.BaselineSamplesSeen);
        Assert.Equal(3, alert.BaselineSamplesRequired);
        Assert.Equal("curl (pid 42) reached new destination 198.51.100.9:8443 (tcp): 1 sighting, 0 earlier in 16.5 s observed", alert.Message);
        Assert.Equal(1, h.Pipeline.AlertsWritten);
    }

    [Fact]
    public void AnAlertedDestinationIsLearnedAndNeverAlertsAgainEvenAfterTheCooldown()
    {
        var h = new PipelineHarness(new MonitorConfig { BaselineSamples = 0, AlertCooldownSeconds = 10 });
        var curl = new SyntheticEvents(h.Clock, SyntheticEvents.Process(42, "curl", "/usr/bin/curl"));
        h.Pipeline.OnEvent(curl.Opened("198.51.100.9", 443));
        h.Clock.AdvanceSeconds(60);
        h.Pipeline.OnEvent(curl.Opened("198.51.100.9", 443, localPort: 41000));
        Assert.Single(h.Sink.AlertsFor(NewDestinationDetector.RuleName));
        Assert.Contains(new DestinationKey("/usr/bin/curl", IPAddress.Parse("198.51.100.9"), 443, Transport.Tcp), h.Pipeline.LearnedDestinations);
    }

    [Fact]
    public void PortTransportAndProgramEachMakeADestinationNewButAnotherPidOfTheSameProgramDoesNot()
    {
        var h = Harness(baselineSamples: 1);
        var curl = new SyntheticEvents(h.Clock, SyntheticEvents.Process(42, "curl", "/usr/bin/curl"));
        h.Pipeline.OnEvent(curl.Opened("198.51.100.2", 443));
        h.Tick();

        var curlAgain = new SyntheticEvents(h.Clock, SyntheticEvents.Process(43, "curl", "/usr/bin/curl"));
        h.Pipeline.OnEvent(curlAgain.Opened("198.51.100.2", 443)); // same program, new pid: known
        h.Pipeline.OnEvent(curl.Opened("198.51.100.2", 444)); // new port
        h.Pipeline.OnEvent(curlAgain.Opened("198.51.100.2", 443, Transport.Udp)); // new transport (another pid: its own incident)
        var wget = new SyntheticEvents(h.Clock, SyntheticEvents.Process(44, "wget", "/usr/bin/wget"));
        h.Pipeline.OnEvent(wget.Opened("198.51.100.2", 443)); // new program

        var alerts = h.Sink.AlertsFor(NewDestinationDetector.RuleName).ToList();
        Assert.Equal(3, alerts.Count);
        Assert.Equal((42, 444, Transport.Tcp), (alerts[0].Process.Pid, alerts[0].Remote!.Port, alerts[0].Transport!.Value));
        Assert.Equal((43, 443, Transport.Udp), (alerts[1].Process.Pid, alerts[1].Remote!.Port, alerts[1].Transport!.Value));
        Assert.Equal((44, 443, Transport.Tcp), (alerts[2].Process.Pid, alerts[2].Remote!.Port, alerts[2].Transport!.Value));
        Assert.EndsWith("(udp): 1 sighting, 0 earlier in 5 s observed", alerts[1].Message);
    }

    [Fact]
    public void Ipv4MappedIpv6IsTheSameDestinationAsIpv4()
    {
        var h = Harness(baselineSamples: 1);
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(7, "app", "/opt/app"));
        h.Pipeline.OnEvent(app.Opened("198.51.100.2", 443));
        h.Tick();

        h.Pipeline.OnEvent(app.Opened("::ffff:198.51.100.2", 443, local: "::ffff:198.51.100.1"));
        Assert.Empty(h.Sink.AlertsFor(NewDestinationDetector.RuleName));

        // Another /24: the baseline learns address blocks, so 198.51.100.3 would be known.
        h.Pipeline.OnEvent(app.Opened("::ffff:203.0.113.3", 443, local: "::ffff:198.51.100.1"));
        var alert = Assert.Single(h.Sink.AlertsFor(NewDestinationDetector.RuleName));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.3"), 443), alert.Remote);
        Assert.StartsWith("app (pid 7) reached new destination 203.0.113.3:443 (tcp)", alert.Message);

        // A second new destination of the same process is evidence of its open incident: named in its closing line.
        h.Pipeline.OnEvent(app.Opened("2001:db8::5", 53, Transport.Udp, local: "2001:db8::1"));
        h.Pipeline.Flush(h.Clock.Now);
        var lines = h.Sink.AlertsFor(NewDestinationDetector.RuleName).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(IncidentPhase.Closed, lines[1].Incident!.Phase);
        Assert.Equal(["203.0.113.3:443/tcp", "[2001:db8::5]:53/udp"], lines[1].Targets);
    }

    [Fact]
    public void LearningLastsExactlyBaselineSamplesIntervals()
    {
        var h = Harness(baselineSamples: 2);
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(7, "app", "/opt/app"));
        h.Pipeline.OnEvent(app.Opened("198.51.100.2", 1));
        Assert.Equal(new BaselineProgress(1, 2), h.Tick().Baseline);
        h.Pipeline.OnEvent(app.Opened("198.51.100.2", 2)); // the last learning interval still learns
        Assert.Equal(new BaselineProgress(2, 2), h.Tick().Baseline);
        Assert.Empty(h.Sink.Alerts);

        h.Pipeline.OnEvent(app.Opened("198.51.100.2", 2));
        h.Pipeline.OnEvent(app.Opened("198.51.100.2", 3));
        var alert = Assert.Single(h.Sink.Alerts);
        Assert.Equal(3, alert.Remote!.Port);
        Assert.Equal(3, h.Pipeline.LearnedDestinations.Count);
        Assert.Equal(new BaselineProgress(2, 2), h.Tick().Baseline); // progress stops at the requirement
    }

    [Fact]
    public void NoBaselineAlertsFromTheFirstEventOncePerDestination()
    {
        var h = Harness(baselineSamples: 3, learn: false);
        Assert.Equal(new BaselineProgress(0, 0), h.Pipeline.BaselineProgress);
        Assert.False(h.Pipeline.BaselineProgress.IsLearning);
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(7, "app", "/opt/app"));

        h.Pipeline.OnEvent(app.Opened("198.51.100.2", 443));
        h.Pipeline.OnEvent(app.Opened("198.51.100.2", 443, localPort: 40001));
        var alert = Assert.Single(h.Sink.AlertsFor(NewDestinationDetector.RuleName));
        Assert.Equal(0, alert.BaselineSamplesSeen);
        Assert.Equal(0, alert.BaselineSamplesRequired);
        Assert.Equal(TimeSpan.Zero, alert.Window);
        Assert.Equal(new BaselineProgress(0, 0), h.Tick().Baseline);
    }

    [Fact]
    public void BaselineSamplesZeroEnforcesFromTheStart()
    {
        var h = Harness(baselineSamples: 0);
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(7, "app", "/opt/app"));
        h.Pipeline.OnEvent(app.Opened("198.51.100.2", 443));
        Assert.Single(h.Sink.AlertsFor(NewDestinationDetector.RuleName));
    }

    [Fact]
    public void BaselineOnlyListsEveryLearnedDestination()
    {
        var h = Harness(baselineSamples: 1);
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(7, "app", "/opt/app"));
        var opened = app.Opened("198.51.100.2", 443);
        h.Pipeline.OnEvent(opened);
        h.Pipeline.OnEvent(app.Traffic(opened, 10));
        h.Pipeline.OnEvent(app.Opened("198.51.100.3", 53, Transport.Udp));
        h.Tick();
        Assert.Equal(
            new HashSet<DestinationKey>
            {
                new("/opt/app", IPAddress.Parse("198.51.100.2"), 443, Transport.Tcp),
                new("/opt/app", IPAddress.Parse("198.51.100.3"), 53, Transport.Udp),
            },
            h.Pipeline.LearnedDestinations.ToHashSet());
    }
}
