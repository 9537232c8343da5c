using System.Runtime.CompilerServices;
using NetSentinel.Core.Configuration;

namespace NetSentinel.Core.Tests.Configuration;

public sealed class MonitorConfigFileTests
{
    private static string TestData(string name, [CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "TestData", name);

    [Fact]
    public void EveryKeyIsApplied()
    {
        MonitorConfig config = MonitorConfigFile.Load(TestData("every-key.toml"));

        Assert.Equal(2.5, config.IntervalSeconds);
        Assert.Equal(7, config.BaselineSamples);
        Assert.Equal("/var/log/net-sentinel/events.jsonl", config.LogFile);
        Assert.True(config.IncludeLoopback);
        Assert.Equal(SourceKind.Poll, config.Source);
        Assert.True(config.LogConnections);
        Assert.Equal(123_456, config.BytesPerSecThreshold);
        Assert.Equal(12, config.ManyConnectionsThreshold);
        Assert.Equal(60, config.AlertCooldownSeconds);
        Assert.Equal(0.5, config.LogMaxSizeMb);
        Assert.Equal(9, config.LogMaxFiles);
        Assert.Equal(NetSentinel.Core.Output.DiskFullAction.Stop, config.LogDiskFullAction);
        Assert.Equal(512 * 1024, config.LogMaxSizeBytes);
        Assert.Equal(0b110_100_000, config.LogMode);
        Assert.Equal("root", config.LogGroup);
    }

    [Fact]
    public void OriginalToolSampleKeepsItsMeaning()
    {
        MonitorConfig config = MonitorConfigFile.Load(TestData("original-tool.toml"));

        Assert.Equal(new MonitorConfig
        {
            IntervalSeconds = 3,
            BaselineSamples = 2,
            LogFile = "net_sentinel_events.jsonl",
            BytesPerSecThreshold = 2_000_000,
            ManyConnectionsThreshold = 40,
        }, config);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n\n")]
    [InlineData("[general]\n[thresholds]\n[alerts]\n[log]\n")]
    public void EmptyFileKeepsDefaults(string text)
    {
        MonitorConfig config = MonitorConfigFile.Parse(text, "empty.toml");

        Assert.Equal(new MonitorConfig(), config);
        Assert.Equal(5, config.IntervalSeconds);
        Assert.Equal(3, config.BaselineSamples);
        Assert.Equal("net_sentinel_events.jsonl", config.LogFile);
        Assert.False(config.IncludeLoopback);
        Assert.Equal(SourceKind.Auto, config.Source);
        Assert.False(config.LogConnections);
        Assert.Equal(5_000_000, config.BytesPerSecThreshold);
        Assert.Equal(50, config.ManyConnectionsThreshold);
        Assert.Equal(300, config.AlertCooldownSeconds);
        Assert.Equal(10, config.LogMaxSizeMb);
        Assert.Equal(5, config.LogMaxFiles);
    }

    [Fact]
    public void KeysNotInTheFileKeepTheirDefaults()
    {
        MonitorConfig config = MonitorConfigFile.Parse("[thresholds]\nmany_connections_threshold = 7\n", "part.toml");

        Assert.Equal(new MonitorConfig { ManyConnectionsThreshold = 7 }, config);
    }

    [Theory]
    [InlineData("[general]\ninterval_seconds = 3\n", 3.0)]
    [InlineData("[general]\ninterval_seconds = 0.25\n", 0.25)]
    [InlineData("[general]\ninterval_seconds = 1e1\n", 10.0)]
    [InlineData("general.interval_seconds = 4\n", 4.0)]
    [InlineData("general = { interval_seconds = 6 }\n", 6.0)]
    [InlineData("[general]\n\"interval_seconds\" = 7\n", 7.0)]
    public void IntervalAcceptsIntegersFloatsAndEveryTomlKeyForm(string text, double expected)
    {
        Assert.Equal(expected, MonitorConfigFile.Parse(text, "my.toml").IntervalSeconds);
    }

    [Theory]
    [InlineData("2e6", 2_000_000)]
    [InlineData("2000000.0", 2_000_000)]
    [InlineData("0", 0)]
    [InlineData("0x10", 16)]
    [InlineData("9_223_372_036_854_775_807", long.MaxValue)]
    public void ByteThresholdAcceptsIntegralFloats(string literal, long expected)
    {
        MonitorConfig config = MonitorConfigFile.Parse($"[thresholds]\nbytes_per_sec_threshold = {literal}\n", "my.toml");

        Assert.Equal(expected, config.BytesPerSecThreshold);
    }

    [Theory]
    [InlineData("auto", SourceKind.Auto)]
    [InlineData("ebpf", SourceKind.Ebpf)]
    [InlineData("etw", SourceKind.Etw)]
    [InlineData("poll", SourceKind.Poll)]
    public void SourceNamesMapToKinds(string name, SourceKind expected)
    {
        Assert.Equal(expected, MonitorConfigFile.Parse($"[general]\nsource = \"{name}\"\n", "my.toml").Source);
    }

    [Fact]
    public void ZeroCooldownAndZeroBaselineAreAllowed()
    {
        MonitorConfig config = MonitorConfigFile.Parse(
            "[general]\nbaseline_samples = 0\n[alerts]\ncooldown_seconds = 0\n", "my.toml");

        Assert.Equal(0, config.BaselineSamples);
        Assert.Equal(0, config.AlertCooldownSeconds);
    }

    [Fact]
    public void LogFileKeepsQuotesBackslashesAndUnicode()
    {
        MonitorConfig config = MonitorConfigFile.Parse(
            "[general]\nlog_file = 'C:\\logs\\\"net\" é.jsonl'\n", "my.toml");

        Assert.Equal("C:\\logs\\\"net\" é.jsonl", config.LogFile);
    }

    [Fact]
    public void WindowsLineEndingsAndByteOrderMarkAreAccepted()
    {
        MonitorConfig config = MonitorConfigFile.Parse("\uFEFF[general]\r\nbaseline_samples = 9\r\n", "my.toml");

        Assert.Equal(9, config.BaselineSamples);
    }
}
