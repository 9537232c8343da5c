using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Detection;

public class BlockAndAllowListTests
{
    private static AddressSet Blocklist(string text) => BlocklistFile.Parse(new StringReader(text), "block.txt");

    [Fact]
    public void BlocklistHitIsAHighSeverityAlertAtConnectTimeEvenForAnAllowlistedProgram()
    {
        var config = new MonitorConfig { BaselineSamples = 5, AllowExecutables = new(["curl"]) };
        var h = new PipelineHarness(config);
        var pipeline = new DetectionPipeline(config, h.Sink, "test", h.Clock, learnBaseline: true,
            blocklist: Blocklist("# feed\n203.0.113.0/24  # bad net\n\n2001:db8:bad::1\n"));
        var curl = new SyntheticEvents(h.Clock, SyntheticEvents.Process(12, "curl", "/usr/bin/curl"));

        pipeline.OnEvent(curl.Opened("198.51.100.7", 443));
        pipeline.OnEvent(curl.Opened("203.0.113.99", 8080));
        pipeline.OnEvent(curl.Opened("2001:db8:bad::1", 53, Transport.Udp, local: "2001:db8::1"));

        var alerts = h.Sink.AlertsFor(BlocklistDetector.RuleName).ToList();
        Assert.Equal(2, alerts.Count);
        Assert.All(alerts, a => Assert.Equal(Severity.High, a.Severity));
        Assert.Equal("curl (pid 12) connected to blocklisted destination 203.0.113.99:8080 (tcp)", alerts[0].Message);
        Assert.Equal("curl (pid 12) connected to blocklisted destination [2001:db8:bad::1]:53 (udp)", alerts[1].Message);
        Assert.Equal((0, 5), (alerts[0].BaselineSamplesSeen, alerts[0].BaselineSamplesRequired)); // fires while learning
        Assert.Equal(2, h.Sink.Alerts.Count());
    }

    [Theory]
    [InlineData("10.0.0.1\nnot-an-address\n", "block.txt:2: 'not-an-address' is not an IP address or CIDR block")]
    [InlineData("# ok\n10.0.0.0/33\n", "block.txt:2: '10.0.0.0/33' has a bad prefix length (0 to 32)")]
    [InlineData("\n\n10.0.0.1/24\n", "block.txt:3: '10.0.0.1/24' has bits set after the /24 prefix (did you mean 10.0.0.0/24?)")]
    [InlineData("2001:db8::/129", "block.txt:1: '2001:db8::/129' has a bad prefix length (0 to 128)")]
    [InlineData("10.1\n", "block.txt:1: '10.1' is not an IP address or CIDR block")]
    public void ABadBlocklistLineNamesFileAndLine(string text, string expected)
    {
        var problem = Assert.Throws<ConfigException>(() => Blocklist(text));
        Assert.Equal(expected, problem.Message);
    }

    [Fact]
    public void AMissingBlocklistFileIsOneLine()
    {
        var problem = Assert.Throws<ConfigException>(() => BlocklistFile.Load("/nonexistent/block.txt"));
        Assert.Equal("cannot read blocklist file '/nonexistent/block.txt': file not found", problem.Message);
    }

    [Fact]
    public void AllowlistIgnoresDestinationsPortsAndExecutablesEntirely()
    {
        var config = new MonitorConfig
        {
            BaselineSamples = 0,
            LogConnections = true,
            AllowDestinations = new(["198.51.100.0/25"]),
            AllowPorts = new([123]),
            AllowExecutables = new(["/usr/bin/backup", "chronyd"]),
        };
        var h = new PipelineHarness(config, learnBaseline: false);
        var app = new SyntheticEvents(h.Clock, SyntheticEvents.Process(1, "app", "/opt/app"));
        var backup = new SyntheticEvents(h.Clock, SyntheticEvents.Process(2, "backup", "/usr/bin/backup"));
        var chrony = new SyntheticEvents(h.Clock, SyntheticEvents.Process(3, "chronyd", "/usr/sbin/chronyd"));

        h.Pipeline.OnEvent(app.Opened("198.51.100.100", 443));   // inside /25
        h.Pipeline.OnEvent(app.Opened("203.0.113.1", 123, Transport.Udp));
        h.Pipeline.OnEvent(backup.Opened("203.0.113.2", 22));
        h.Pipeline.OnEvent(chrony.Opened("203.0.113.3", 4460));
        Assert.Empty(h.Sink.Records);
        Assert.Equal(0, h.Pipeline.TrackedProcessCount);

        h.Pipeline.OnEvent(app.Opened("198.51.100.200", 443));   // outside /25
        Assert.Single(h.Sink.AlertsFor(NewDestinationDetector.RuleName));
    }
}
