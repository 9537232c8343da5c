using System.Net;
using NetSentinel.Cli.SelfTest;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;

namespace NetSentinel.Cli.Tests.SelfTest;

/// <summary>The self-test's scenarios: sized from the thresholds, distinct programs, each look-alike beside an attack, plans that survive the command line.</summary>
public class ScenarioLibraryTests
{
    private static readonly SelfTestAddresses At = new(IPAddress.Parse("198.51.100.5"), IPAddress.Parse("198.51.100.6"), IPAddress.Parse("2001:db8::1:2"), 4);

    [Fact]
    public void EveryIssueScenarioIsThereAsItsOwnProgramAndEveryLookAlikeNamesAnAttack()
    {
        var scenarios = ScenarioLibrary.For(new MonitorConfig(), At, 40001);
        Assert.Equal(
            ["port-sweep", "host-sweep", "tcp-beacon", "udp-beacon", "slow-exfil", "burst-upload", "dropper",
             "heartbeat", "ntp-like", "udp-server", "cdn-fan-in", "large-download", "backup", "api-client"],
            scenarios.Select(s => s.Name));
        Assert.All(scenarios, s => Assert.InRange(s.Name.Length, 1, 15)); // the kernel's process name holds 15 bytes
        Assert.Equal(7, scenarios.Count(s => s.IsAttack));
        var attacks = scenarios.Where(s => s.IsAttack).Select(s => s.Name).ToHashSet();
        Assert.All(scenarios.Where(s => !s.IsAttack), s => Assert.Contains(s.LookAlikeOf!, attacks));
        Assert.All(scenarios.Where(s => s.Name is "heartbeat" or "ntp-like" or "backup"), s => Assert.NotEmpty(s.Known));
    }

    [Fact]
    public void ScenariosAreSizedFromTheConfiguredThresholds()
    {
        var config = new MonitorConfig
        {
            IntervalSeconds = 2, ScanDistinctPortsThreshold = 150, ScanDistinctHostsThreshold = 300, BeaconMinConnections = 20,
            ExfiltrationBytesThreshold = 50_000_000, BytesPerSecThreshold = 4_000_000,
        };
        var s = ScenarioLibrary.For(config, At, 40001).ToDictionary(x => x.Name);
        Assert.Equal(300, s["port-sweep"].Plan.Targets.Select(t => t.Port).Distinct().Count());
        Assert.Equal(480, s["host-sweep"].Plan.Targets.Select(t => t.Address).Distinct().Count());
        Assert.All(s["host-sweep"].Plan.Targets, t => Assert.StartsWith("198.19.", t.Address.ToString()));
        Assert.Equal(25, s["tcp-beacon"].Plan.Count);
        Assert.Equal(60_000_000, s["slow-exfil"].Plan.UploadBytes);
        Assert.Equal(2_000_000, s["slow-exfil"].Plan.RateBytesPerSecond); // under the send-rate threshold
        Assert.Equal(24_000_000, s["burst-upload"].Plan.UploadBytes); // 3x the threshold over one interval
        Assert.Equal(s["burst-upload"].Plan.UploadBytes, s["backup"].Plan.UploadBytes); // the look-alike is the same burst
    }

    [Fact]
    public void ThePlannedRhythmsScoreAsTheyShould()
    {
        var config = new MonitorConfig();
        var s = ScenarioLibrary.For(config, At, 40001).ToDictionary(x => x.Name);
        foreach (string beacon in new[] { "tcp-beacon", "udp-beacon", "heartbeat", "ntp-like" })
        {
            var score = BeaconScore.Of(Times(s[beacon].Plan), null);
            Assert.True(score.TimingScore >= config.BeaconScoreThreshold, $"{beacon}: timing {score.TimingScore}");
        }
        // The random API client's seeded gaps stay far from a beacon, so the self-test is not a coin toss.
        var api = BeaconScore.Of(Times(s["api-client"].Plan), null);
        Assert.True(api.TimingScore < config.BeaconScoreThreshold - 0.2, $"api-client: timing {api.TimingScore}");
    }

    [Fact]
    public void APlanSurvivesTheCommandLine()
    {
        foreach (var scenario in ScenarioLibrary.For(new MonitorConfig(), At, 40001))
        {
            var parsed = ScenarioPlan.Parse(scenario.Plan.ToArgs());
            Assert.Equal(scenario.Plan.ToArgs(), parsed.ToArgs());
            Assert.Equal(scenario.Plan.Targets, parsed.Targets);
            Assert.Equal(scenario.Plan.Gaps(), parsed.Gaps());
        }
    }

    [Theory]
    [InlineData("scan targets=198.51.100.2:1", "unknown scenario action 'scan'")]
    [InlineData("fetch count=3", "a scenario needs targets=")]
    [InlineData("fetch targets=198.51.100.2:1 speed=3", "unknown scenario key 'speed'")]
    [InlineData("fetch targets=198.51.100.2:1 count", "'count' is not key=value")]
    public void ABadPlanIsNamed(string words, string problem)
    {
        var e = Assert.Throws<FormatException>(() => ScenarioPlan.Parse(words.Split(' ')));
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void ABadPlanOnTheCommandLineIsAUsageError()
    {
        var (code, _, stderr) = CliRun.Run("selftest-scenario", "fetch", "targets=nowhere");
        Assert.Equal(2, code);
        Assert.StartsWith("net-sentinel: selftest-scenario: ", stderr);
    }

    private static DateTimeOffset[] Times(ScenarioPlan plan)
    {
        var t = DateTimeOffset.UnixEpoch;
        return [t, .. plan.Gaps().Select(g => t += g)];
    }
}
