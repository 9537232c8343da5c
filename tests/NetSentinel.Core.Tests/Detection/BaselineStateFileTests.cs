using System.Runtime.Versioning;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Dns;

namespace NetSentinel.Core.Tests.Detection;

[UnsupportedOSPlatform("windows")] // file modes are the point of some tests
public sealed class BaselineStateFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ns-baseline-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string StatePath => Path.Combine(_dir, "baseline.json");

    private static LearnedBaseline Learned()
    {
        var h = new PipelineHarness(new MonitorConfig { BaselineSamples = 2 });
        var curl = new SyntheticEvents(h.Clock, SyntheticEvents.Process(4, "curl", "/usr/bin/curl"));
        h.Pipeline.OnEvent(curl.Opened("198.51.100.17", 443));
        h.Pipeline.OnEvent(curl.Opened("2001:db8:0:0:1::9", 53, NetSentinel.Core.Model.Transport.Udp, local: "2001:db8::1"));
        h.Pipeline.OnEvent(curl.Opened("198.18.0.7", 443) with { Names = new DomainNames("www.example.test", []) });
        h.Tick();
        h.Tick();
        return h.Pipeline.Baseline;
    }

    [Fact]
    public void RoundTripKeepsEntriesAndMaturity()
    {
        var baseline = Learned();
        BaselineStateFile.Save(StatePath, baseline);

        Assert.Equal("""
            {
              "format": "net-sentinel-baseline",
              "version": 2,
              "ipv4_prefix": 24,
              "ipv6_prefix": 64,
              "samples_seen": 2,
              "destinations": [
                {
                  "program": "/usr/bin/curl",
                  "network": "198.18.0.0/24",
                  "port": 443,
                  "transport": "tcp"
                },
                {
                  "program": "/usr/bin/curl",
                  "network": "198.51.100.0/24",
                  "port": 443,
                  "transport": "tcp"
                },
                {
                  "program": "/usr/bin/curl",
                  "network": "2001:db8::/64",
                  "port": 53,
                  "transport": "udp"
                }
              ],
              "domains": [
                {
                  "program": "/usr/bin/curl",
                  "domain": "example.test",
                  "port": 443,
                  "transport": "tcp"
                }
              ]
            }

            """.ReplaceLineEndings("\n"), File.ReadAllText(StatePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(StatePath));

        var loaded = BaselineStateFile.Load(StatePath, 24, 64, new ManualClock());
        Assert.Null(loaded.Note);
        Assert.Equal(baseline.Entries.ToHashSet(), loaded.Baseline.Entries.ToHashSet());
        Assert.Equal(baseline.NamedEntries.ToHashSet(), loaded.Baseline.NamedEntries.ToHashSet());
        Assert.Equal(2, loaded.Baseline.SamplesSeen);
        Assert.False(loaded.Baseline.IsDirty);
    }

    [Fact]
    public void ARestartedPipelineEnforcesAtOnceAndKnowsTheLearnedBlocks()
    {
        BaselineStateFile.Save(StatePath, Learned());
        var config = new MonitorConfig { BaselineSamples = 2 };
        var loaded = BaselineStateFile.Load(StatePath, 24, 64, new ManualClock()).Baseline;
        var h = new PipelineHarness(config);
        var pipeline = new DetectionPipeline(config, h.Sink, "test", h.Clock, learnBaseline: true, baseline: loaded);
        Assert.Equal(new BaselineProgress(2, 2), pipeline.BaselineProgress);

        var curl = new SyntheticEvents(h.Clock, SyntheticEvents.Process(77, "curl", "/usr/bin/curl"));
        pipeline.OnEvent(curl.Opened("198.51.100.250", 443));  // same /24 as learned
        Assert.Empty(h.Sink.Alerts);
        pipeline.OnEvent(curl.Opened("198.51.101.1", 443));
        Assert.Equal("198.51.101.1:443", Assert.Single(h.Sink.AlertsFor(NewDestinationDetector.RuleName)).Remote!.ToString());
    }

    [Fact]
    public void ARestartedPipelineKnowsTheLearnedDomainsOnANewAddress()
    {
        BaselineStateFile.Save(StatePath, Learned());
        var config = new MonitorConfig { BaselineSamples = 2 };
        var loaded = BaselineStateFile.Load(StatePath, 24, 64, new ManualClock()).Baseline;
        var h = new PipelineHarness(config);
        var pipeline = new DetectionPipeline(config, h.Sink, "test", h.Clock, learnBaseline: true, baseline: loaded);

        var curl = new SyntheticEvents(h.Clock, SyntheticEvents.Process(78, "curl", "/usr/bin/curl"));
        // The service moved to an address block never seen: known by its (registrable) domain.
        pipeline.OnEvent(curl.Opened("203.0.113.80", 443) with { Names = new DomainNames("cdn7.example.test", []) });
        Assert.Empty(h.Sink.Alerts);
        pipeline.OnEvent(curl.Opened("203.0.113.81", 443) with { Names = new DomainNames("www.other.test", []) });
        Assert.Equal("203.0.113.81:443", Assert.Single(h.Sink.AlertsFor(NewDestinationDetector.RuleName)).Remote!.ToString());
    }

    [Fact]
    public void AVersion1FileStillLoadsAndIsWrittenBackAsVersion2()
    {
        File.WriteAllText(StatePath, """
            {"format": "net-sentinel-baseline", "version": 1, "ipv4_prefix": 24, "ipv6_prefix": 64, "samples_seen": 3,
             "destinations": [{"program": "/usr/bin/curl", "network": "198.51.100.0/24", "port": 443, "transport": "tcp"}]}
            """);
        var result = BaselineStateFile.Load(StatePath, 24, 64, new ManualClock());

        Assert.Null(result.Note);
        Assert.Equal(3, result.Baseline.SamplesSeen);
        Assert.Single(result.Baseline.Entries);
        Assert.Empty(result.Baseline.NamedEntries);
        Assert.Contains("\"version\": 2", System.Text.Encoding.UTF8.GetString(BaselineStateFile.Serialize(result.Baseline)));
    }

    [Fact]
    public void LearningANewDomainMakesTheBaselineDirty()
    {
        var baseline = new LearnedBaseline(24, 64);
        var named = new NamedDestination("/usr/bin/curl", "example.test", 443, NetSentinel.Core.Model.Transport.Tcp);
        Assert.True(baseline.Add(named));
        Assert.True(baseline.IsDirty);
        baseline.MarkSaved();
        Assert.False(baseline.Add(named));
        Assert.False(baseline.IsDirty);
    }

    [Theory]
    [InlineData("{ not json", "'n' is an invalid start of a property name")]
    [InlineData("{\"format\": \"other\"}", "not a net-sentinel baseline (no \"format\": \"net-sentinel-baseline\")")]
    [InlineData("{\"format\": \"net-sentinel-baseline\", \"version\": 1, \"ipv4_prefix\": 24, \"ipv6_prefix\": 64, \"samples_seen\": 1, \"destinations\": [{\"program\": \"x\", \"network\": \"198.51.100.0/16\", \"port\": 1, \"transport\": \"tcp\"}]}",
        "destination 1: '198.51.100.0/16' has bits set after the /16 prefix")]
    [InlineData("{\"format\": \"net-sentinel-baseline\", \"version\": 2, \"ipv4_prefix\": 24, \"ipv6_prefix\": 64, \"samples_seen\": 1, \"destinations\": []}",
        "The given key was not present")] // version 2 without its domains
    [InlineData("{\"format\": \"net-sentinel-baseline\", \"version\": 2, \"ipv4_prefix\": 24, \"ipv6_prefix\": 64, \"samples_seen\": 1, \"destinations\": [], \"domains\": [{\"program\": \"x\", \"domain\": \"a b\", \"port\": 1, \"transport\": \"tcp\"}]}",
        "domain 1: not a domain name")]
    [InlineData("{\"format\": \"net-sentinel-baseline\", \"version\": 3, \"ipv4_prefix\": 24}", "unsupported version 3")]
    public void ACorruptFileIsSetAsideAndReportedInOneLine(string content, string why)
    {
        File.WriteAllText(StatePath, content);
        var clock = new ManualClock();
        var result = BaselineStateFile.Load(StatePath, 24, 64, clock);

        string aside = StatePath + ".corrupt-20260101T120000Z";
        Assert.False(File.Exists(StatePath));
        Assert.Equal(content, File.ReadAllText(aside));
        Assert.Equal(0, result.Baseline.Count);
        Assert.NotNull(result.Note);
        Assert.StartsWith($"baseline state file '{StatePath}' is corrupt (", result.Note);
        Assert.Contains(why, result.Note, StringComparison.Ordinal);
        Assert.EndsWith($"); set aside as '{aside}', learning afresh", result.Note);
        Assert.DoesNotContain('\n', result.Note);
    }

    [Fact]
    public void SaveReplacesTheOldFileAtomicallyAndLeavesNoTemporaryFile()
    {
        File.WriteAllText(StatePath, "old");
        // The old predictable temporary name: an entry there (a crash's leftover, or a planted link) is not ours
        // and is neither reused nor removed.
        string leftover = Path.Combine(_dir, ".baseline.json.tmp-" + Environment.ProcessId);
        File.WriteAllText(leftover, "stale temporary from a crash");

        var baseline = Learned();
        BaselineStateFile.Save(StatePath, baseline);

        Assert.Equal([Path.GetFileName(leftover), "baseline.json"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("stale temporary from a crash", File.ReadAllText(leftover));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(StatePath));
        Assert.Equal(BaselineStateFile.Serialize(baseline), File.ReadAllBytes(StatePath));
        Assert.False(baseline.IsDirty);
    }

    [Fact]
    public void AnUnwritableDirectoryIsOneLine()
    {
        var problem = Assert.Throws<BaselineStateException>(() =>
            BaselineStateFile.Save("/nonexistent-dir/baseline.json", new LearnedBaseline(24, 64)));
        Assert.StartsWith("cannot save baseline state file '/nonexistent-dir/baseline.json': ", problem.Message);
    }

    [Fact]
    public void AFileLearnedWithOtherPrefixesIsNotTrustedButKept()
    {
        BaselineStateFile.Save(StatePath, Learned());
        var result = BaselineStateFile.Load(StatePath, 32, 64, new ManualClock());
        Assert.Equal(0, result.Baseline.Count);
        Assert.Equal($"baseline state file '{StatePath}' was learned with /24 and /64 prefixes, the configuration asks for /32 and /64; " +
                     "learning afresh (the file is replaced at the next save)", result.Note);
        Assert.True(File.Exists(StatePath));
    }
}
