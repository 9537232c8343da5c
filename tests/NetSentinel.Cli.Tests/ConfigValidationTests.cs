using NetSentinel.Tests.Shared;

namespace NetSentinel.Cli.Tests;

/// <summary>
/// Issue 11, case 6, as reported: values that passed --print-config, or were found only after the BPF programs
/// were attached, or silently changed another key. Each is now exit 2 with one line, before anything starts
/// (--source ebpf as a non-root user would fail with exit 3 if the monitor got that far).
/// </summary>
public sealed class ConfigValidationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ns-validate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(string text)
    {
        string path = Path.Combine(_dir, "c.toml");
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("[log]\nmax_size_mb = 1e-9\n", "c.toml:2: log.max_size_mb must be at least 0.0625 (got 1e-9)")]
    [InlineData("[general]\ninterval_seconds = 1e-300\n", "c.toml:2: general.interval_seconds must be at least 0.05 (got 1e-300)")]
    [InlineData("[beacon]\nmin_connections = 1000\nhistory = 10\n", "c.toml: beacon.min_connections (1000) must be at most beacon.history (10): a series is scored from the connections the history keeps")]
    [InlineData("[log]\nmode = \"0664\"\n", "c.toml:2: log.mode must be an octal mode in which the owner reads and writes and group and others may at most read: \"0600\", \"0640\" or \"0644\" (got \"0664\")")]
    [InlineData("[log]\nmode = \"0640\"\ngroup = \"ns-no-such-readers\"\n", "c.toml:3: log.group names a group that does not exist on this machine — create it (groupadd --system ns-no-such-readers) or leave [log] group out (got \"ns-no-such-readers\")")]
    [InlineData("[metrics]\nlisten = \"0.0.0.0:9469\"\n", "c.toml: metrics.listen (0.0.0.0:9469) is reachable from other hosts and the endpoint has no authentication: listen on 127.0.0.1, [::1] or a Unix socket, or set metrics.allow_remote = true")]
    [InlineData("[syslog]\ntarget = \"tcp:127.0.0.1\"\n", "c.toml:2: syslog.target must give ADDRESS:PORT after udp: or tcp:, e.g. \"udp:127.0.0.1:514\" or \"tcp:[::1]:6514\" (got \"tcp:127.0.0.1\")")]
    public void AnImpossibleFileValueIsExitTwoAtPrintConfigAlready(string text, string expected)
    {
        string config = Config(text);

        var (code, stdout, stderr) = CliRun.Run("-c", config, "--print-config");

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Equal($"net-sentinel: {Path.Combine(_dir, expected)}\n", stderr);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void TheLogIsCreatedWithTheConfiguredModeAndGroup()
    {
        string log = Path.Combine(_dir, "events.jsonl");
        string config = Config("[log]\nmode = \"0640\"\ngroup = \"" + OwnGroup() + "\"\n");

        var (code, _, stderr) = CliRun.Run("--once", "--source", "poll", "-c", config, "--log-file", log);

        Assert.True(code is 0 or 1, stderr);
        Assert.Equal((UnixFileMode)0b110_100_000, File.GetUnixFileMode(log));
    }

    /// <summary>
    /// A new log gets its group and mode before it has a name (O_TMPFILE, then linkat), because rsyslog's imfile
    /// opens it the instant the name appears and gives up on a file it could not open. So a log that cannot get
    /// its group never appears at all; created by name and fixed afterwards, a 0600 file would be left behind.
    /// </summary>
    [RootFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void AGroupTheMonitorMayNotGiveRefusesTheLogAndLeavesNoFileAtThePath()
    {
        string dir = Path.Combine(_dir, "nobody");
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        string log = Path.Combine(dir, "events.jsonl");
        string config = Config("[log]\nmode = \"0640\"\ngroup = \"root\"\n");

        var (code, _, stderr) = CliRun.RunAsNobody("--once", "--source", "poll", "-c", config, "--log-file", log);

        Assert.Equal(3, code);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("refusing", StringComparison.Ordinal));
        Assert.Equal($"net-sentinel: refusing to write log '{log}': cannot give it group 'root' (gid 0): Operation not permitted — run as root or as a member of that group, or change [log] group", line);
        Assert.False(File.Exists(log), "a log without its group was left at the path");
    }

    /// <summary>A group the test's user may give a file: its own primary group.</summary>
    private static string OwnGroup()
    {
        var start = new System.Diagnostics.ProcessStartInfo("id", "-gn") { RedirectStandardOutput = true };
        using var id = System.Diagnostics.Process.Start(start)!;
        string name = id.StandardOutput.ReadToEnd().Trim();
        id.WaitForExit();
        return name;
    }

    [Fact]
    public void DeepNestingIsOurOneLineNotTomlynsMessage()
    {
        string config = Config("x = " + new string('[', 64) + new string(']', 64) + "\n");

        var (code, _, stderr) = CliRun.Run("-c", config, "--print-config");

        Assert.Equal(2, code);
        Assert.Equal($"net-sentinel: {config}: invalid TOML: nested more than 64 levels deep (a net-sentinel configuration needs 2)\n", stderr);
    }

    [Theory]
    [InlineData("--interval", "1e300")]
    [InlineData("--duration", "1e300")]
    public void AnOverflowingFlagIsRefusedBeforeTheSourceStarts(string flag, string value)
    {
        var (code, _, stderr) = CliRun.Run("--source", "ebpf", flag, value, "--log-file", Path.Combine(_dir, "x.jsonl"));

        Assert.Equal(2, code);
        Assert.DoesNotContain("TimeSpan", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(Path.Combine(_dir, "x.jsonl")), "the log was opened: the check came too late");
    }

    [Fact]
    public void AnIntervalFlagAboveTheFilesLimitIsRefused()
    {
        var (code, _, stderr) = CliRun.Run("--interval", "1e9", "--print-config");

        Assert.Equal(2, code);
        Assert.Equal("net-sentinel: --interval must be a number of seconds from 0.05 to 86400 (got 1E+09)\n", stderr);
    }
}
