using NetSentinel.Core.Configuration;
using NetSentinel.Core.Output.Pipeline;

namespace NetSentinel.Cli.Tests;

/// <summary>[stdout] lines = "auto": every line for --json, alerts only for a writer that is not a terminal; a choice in the file wins.</summary>
public sealed class StdoutLinesTests
{
    [Fact]
    public void AutoGivesAPipeOrAJournalAlertsOnly()
    {
        Assert.Equal(OutputLines.Alerts, LogSinks.StdoutLines(new MonitorConfig(), json: false, new StringWriter()));
    }

    [Fact]
    public void AutoGivesJsonEveryLine()
    {
        Assert.Equal(OutputLines.All, LogSinks.StdoutLines(new MonitorConfig(), json: true, new StringWriter()));
    }

    [Theory]
    [InlineData("all", OutputLines.All)]
    [InlineData("alerts", OutputLines.Alerts)]
    public void AChoiceInTheFileWins(string lines, OutputLines expected)
    {
        var config = MonitorConfigFile.Parse($"[stdout]\nlines = \"{lines}\"\n", "test.toml");
        Assert.Equal(expected, LogSinks.StdoutLines(config, json: false, new StringWriter()));
        Assert.Equal(expected, LogSinks.StdoutLines(config, json: true, new StringWriter()));
    }

    [Fact]
    public void AutoIsTheDefaultAndCanBeWritten()
    {
        Assert.Null(new MonitorConfig().StdoutLines);
        Assert.Null(MonitorConfigFile.Parse("[stdout]\nlines = \"auto\"\n", "test.toml").StdoutLines);
    }
}
