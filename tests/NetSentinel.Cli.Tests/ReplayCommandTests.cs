namespace NetSentinel.Cli.Tests;

public sealed class ReplayCommandTests : IDisposable
{
    private const string Opened =
        """{"@timestamp":"2026-01-01T12:00:00.000Z","event":{"kind":"event","action":"connection_opened"},"process":{"pid":5,"name":"x"},"source":{"ip":"198.51.100.1","port":40000,"bytes":0},"destination":{"ip":"203.0.113.66","port":80,"bytes":0},"network":{"transport":"tcp"},"net_sentinel":{"source":"ebpf","attribution":"kernel","connection_id":1}}""";

    private readonly string _dir = Directory.CreateTempSubdirectory("ns-replay-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ReplayPrintsTheAlertsThatWouldFireAndExitsOne()
    {
        string blocklist = Write("block.txt", "# feed\n203.0.113.0/24\n");
        string config = Write("c.toml", $"[blocklist]\nfile = \"{blocklist}\"\n");
        string log = Write("log.jsonl", Opened + "\n");

        var (code, stdout, stderr) = CliRun.Run("replay", log, "-c", config);

        Assert.Equal(1, code);
        Assert.EndsWith("ALERT high blocklisted_destination: x (pid 5) connected to blocklisted destination 203.0.113.66:80 (tcp)\n", stdout);
        Assert.Equal($"net-sentinel: replayed 1 connection event(s) from {log}; 1 alert(s) would fire\n", stderr);
    }

    [Fact]
    public void ABadLineIsSkippedCountedAndNamedWithFileLineAndField()
    {
        string log = Write("bad.jsonl", Opened + "\n\n{\"@timestamp\": 5}\n");

        var (code, _, stderr) = CliRun.Run("replay", log);

        Assert.Equal(0, code);
        Assert.Equal(
            $"net-sentinel: skipped {log}:3: @timestamp: must be a string (got number)\n" +
            $"net-sentinel: replayed 1 connection event(s) from {log}; 0 alert(s) would fire; 1 bad line(s) skipped\n", stderr);
    }

    [Fact]
    public void StrictStopsAtTheFirstBadLineWithExitTwo()
    {
        string log = Write("bad.jsonl", Opened + "\n\n{\"@timestamp\": 5}\n" + Opened + "\n");

        var (code, _, stderr) = CliRun.Run("replay", "--strict", log);

        Assert.Equal(2, code);
        Assert.Equal($"net-sentinel: {log}:3: @timestamp: must be a string (got number) (--strict: replay stopped after 1 connection event(s); 0 alert(s) would fire)\n", stderr);
    }

    [Fact]
    public void ADirectoryIsExitTwoSayingSo()
    {
        var (code, _, stderr) = CliRun.Run("replay", _dir);

        Assert.Equal(2, code);
        Assert.Equal($"net-sentinel: cannot read log '{_dir}': it is a directory, not a regular file\n", stderr);
    }

    [Fact]
    public void DevZeroEndsAtOnceWithAClearErrorInsteadOfGrowing()
    {
        var (code, _, stderr) = CliRun.Run(TimeSpan.FromSeconds(20), "replay", "/dev/zero");

        Assert.Equal(2, code);
        Assert.Equal("net-sentinel: cannot read log '/dev/zero': it is a character device, not a regular file\n", stderr);
    }

    [Fact]
    public void AFifoIsRefusedWithoutWaitingForAWriter()
    {
        string fifo = Path.Combine(_dir, "fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var (code, _, stderr) = CliRun.Run(TimeSpan.FromSeconds(20), "replay", fifo);

        Assert.Equal(2, code);
        Assert.Equal($"net-sentinel: cannot read log '{fifo}': it is a FIFO, not a regular file\n", stderr);
    }

    [Fact]
    public void AMissingLogIsExitTwo()
    {
        var (code, _, stderr) = CliRun.Run("replay", Path.Combine(_dir, "none.jsonl"));

        Assert.Equal(2, code);
        Assert.Equal($"net-sentinel: cannot read log '{Path.Combine(_dir, "none.jsonl")}': file not found\n", stderr);
    }
}
