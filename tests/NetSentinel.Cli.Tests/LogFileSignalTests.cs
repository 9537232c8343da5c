using System.Text.Json;

namespace NetSentinel.Cli.Tests;

/// <summary>Issue 11, cases 3 and 9, with the real binary: SIGHUP reopens the log; a second monitor on one log is refused.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class LogFileSignalTests : IDisposable
{
    private const int Sighup = 1;
    private const int Sigterm = 15;
    private readonly string _dir = Directory.CreateTempSubdirectory("ns-logsig-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SighupReopensTheLogAsLogrotateExpectsAndTheMonitorGoesOn()
    {
        string log = Path.Combine(_dir, "x.jsonl");
        using var monitor = CliRun.Start(["--source", "poll", "--interval", "0.5", "--duration", "30", "--log-file", log]);
        CliRun.WaitForLine(monitor.StandardError, "watching outbound connections");

        File.Move(log, log + ".1"); // logrotate's rename, then its postrotate SIGHUP
        Assert.Equal(0, CliRun.Kill(monitor.Id, Sighup));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(log) && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.False(monitor.HasExited, "SIGHUP killed the monitor");

        Assert.Equal(0, CliRun.Kill(monitor.Id, Sigterm));
        Assert.True(monitor.WaitForExit(10_000));
        Assert.Equal(0, monitor.ExitCode);
        Assert.Contains("stopped;", monitor.StandardError.ReadToEnd());
        var reopened = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement).First();
        Assert.Equal("log_reopened", reopened.GetProperty("event").GetProperty("action").GetString());
        Assert.Contains("SIGHUP", reopened.GetProperty("message").GetString());
    }

    [Fact]
    public void ASecondMonitorOnTheSameLogIsRefusedAtStartWithExitThree()
    {
        string log = Path.Combine(_dir, "x.jsonl");
        using var first = CliRun.Start(["--source", "poll", "--interval", "0.5", "--duration", "30", "--log-file", log]);
        CliRun.WaitForLine(first.StandardError, "watching outbound connections");

        var (code, _, stderr) = CliRun.Run("--source", "poll", "--duration", "5", "--log-file", log);

        Assert.Equal(3, code);
        Assert.Equal($"net-sentinel: refusing to write log '{log}': another net-sentinel is already writing it — stop that one or choose another --log-file\n", stderr);
        Assert.False(first.HasExited);
        Assert.Equal(0, CliRun.Kill(first.Id, Sigterm));
        Assert.True(first.WaitForExit(10_000));
        Assert.Equal(0, first.ExitCode);
    }
}
