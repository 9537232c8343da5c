namespace NetSentinel.Cli.Tests;

public sealed class CliErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ns-cli-").FullName;

    [Fact]
    public void BadConfigExitsTwoNamingFileLineAndKey()
    {
        string config = Path.Combine(_dir, "bad.toml");
        File.WriteAllText(config, "[general]\nbaseline_samples = 2\ninterval_seconds = -1\n");

        var (code, stdout, stderr) = CliRun.Run("--once", "-c", config);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"net-sentinel: {config}:3: general.interval_seconds", line);
        Assert.DoesNotContain("   at ", stderr); // no stack trace
    }

    [Fact]
    public void UnknownKeyExitsTwoNamingIt()
    {
        string config = Path.Combine(_dir, "typo.toml");
        File.WriteAllText(config, "[thresholds]\nmany_connection_threshold = 5\n");
        var (code, _, stderr) = CliRun.Run("--once", "-c", config);
        Assert.Equal(2, code);
        Assert.Contains($"{config}:2:", stderr);
        Assert.Contains("many_connection_threshold", stderr);
    }

    [Theory]
    [InlineData("--interval", "0", "--interval must be a number of seconds from 0.05 to 86400 (got 0)")]
    [InlineData("--interval", "1e300", "--interval must be a number of seconds from 0.05 to 86400 (got 1E+300)")]
    [InlineData("--interval", "1e9", "--interval must be a number of seconds from 0.05 to 86400 (got 1E+09)")]
    [InlineData("--interval", "1e-300", "--interval must be a number of seconds from 0.05 to 86400 (got 1E-300)")]
    [InlineData("--duration", "1e300", "--duration must be a number of seconds greater than 0 and at most 315360000 (ten years) (got 1E+300)")]
    [InlineData("--source", "carrier-pigeon", "--source must be one of auto, ebpf, etw, poll (got 'carrier-pigeon')")]
    [InlineData("--duration", "-5", "--duration must be a number of seconds greater than 0 and at most 315360000 (ten years) (got -5)")]
    public void BadFlagValuesExitTwoWithOneLine(string flag, string value, string message)
    {
        var (code, _, stderr) = CliRun.Run(flag, value, "--log-file", Path.Combine(_dir, "x.jsonl"));
        Assert.Equal(2, code);
        Assert.Equal($"net-sentinel: {message}", stderr.Trim());
    }

    [Fact]
    public void UnknownFlagExitsTwo()
    {
        var (code, _, stderr) = CliRun.Run("--frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("--frobnicate", stderr);
        Assert.Contains("see net-sentinel --help", stderr);
    }

    [Fact]
    public void PrintConfigShowsEffectiveValuesWithFlagsOverridingTheFile()
    {
        string config = Path.Combine(_dir, "ok.toml");
        File.WriteAllText(config, "[general]\ninterval_seconds = 3\nbaseline_samples = 2\n[thresholds]\nmany_connections_threshold = 40\n");
        var (code, stdout, _) = CliRun.Run("--print-config", "-c", config, "--interval", "7", "--log-file", "/tmp/x.jsonl");
        Assert.Equal(0, code);
        Assert.Contains("interval_seconds = 7", stdout);
        Assert.Contains("baseline_samples = 2", stdout);
        Assert.Contains("many_connections_threshold = 40", stdout);
        Assert.Contains("log_file = \"/tmp/x.jsonl\"", stdout);
    }

    [Fact]
    public void LogPathThatIsASymlinkIsRefusedWithExitThree()
    {
        string target = Path.Combine(_dir, "target");
        File.WriteAllText(target, "keep");
        string link = Path.Combine(_dir, "log.jsonl");
        File.CreateSymbolicLink(link, target);
        var (code, _, stderr) = CliRun.Run("--once", "--log-file", link);
        Assert.Equal(3, code);
        Assert.Contains("symbolic link", stderr);
        Assert.Equal("keep", File.ReadAllText(target));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
