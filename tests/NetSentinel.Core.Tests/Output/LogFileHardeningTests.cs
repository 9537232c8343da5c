using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.Json;
using NetSentinel.Core.Output;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Core.Tests.Output;

/// <summary>Issue 11, cases 2, 3, 4 and 9: what broke the log file, each as it was reported.</summary>
[SupportedOSPlatform("linux")]
public sealed class LogFileHardeningTests : IDisposable
{
    private static readonly EcsJsonFormatter Formatter = new("sentinel-test");
    private readonly TemporaryDirectory _directory = new();
    private readonly List<string> _notes = [];
    private string? _mount;

    public void Dispose()
    {
        if (_mount is not null)
        {
            Run("umount", "-l", _mount);
        }
        _directory.Dispose();
    }

    private static AlertRecord Numbered(int n) => SampleRecords.HighSendRate() with { Process = SampleRecords.Curl() with { Pid = 10_000 + n } };

    /// <summary>Every line, each a complete JSON object; fails on a partial last line.</summary>
    private static List<JsonElement> Lines(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length == 0 || bytes[^1] == (byte)'\n', $"{path} ends in the middle of a line");
        return File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    private static string Action(JsonElement line) => line.GetProperty("event").GetProperty("action").GetString()!;

    private JsonlFileSink Open(string path, long maxBytes = JsonlFileSink.DefaultMaxBytes, int maxFiles = 5, DiskFullAction action = DiskFullAction.Drop) =>
        new(path, Formatter, maxBytes, maxFiles, action, _notes.Add);

    [Fact]
    public void APartialLastLineIsRemovedAtOpenAndSaidSo()
    {
        string path = _directory.File("events.jsonl");
        byte[] whole = Formatter.FormatLine(Numbered(1));
        File.WriteAllBytes(path, [.. whole, .. whole.AsSpan(0, 40)]); // cut in the middle, as the full disk left it

        using (var sink = Open(path))
        {
            sink.Write(Numbered(2));
        }

        var lines = Lines(path);
        Assert.Equal(["high_send_rate", "log_repaired", "high_send_rate"], lines.Select(Action));
        Assert.Contains("removed a partial last line (40 bytes)", Assert.Single(_notes));
    }

    [Fact]
    public void ADirectoryAtARotationSlotIsSkippedAndWritingGoesOn()
    {
        string path = _directory.File("x.jsonl");
        Directory.CreateDirectory(path + ".2");
        int line = Formatter.FormatLine(Numbered(0)).Length;
        using var sink = Open(path, maxBytes: line, maxFiles: 3);

        for (int n = 0; n < 5; n++)
        {
            sink.Write(Numbered(n));
        }

        Assert.True(Directory.Exists(path + ".2"));
        Assert.Contains(_notes, n => n.Contains($"skipping '{path}.2': it is a directory", StringComparison.Ordinal));
        Assert.Equal(4, Lines(path).Single().GetProperty("process").GetProperty("pid").GetInt32() - 10_000);
        Assert.Equal(3, Lines(path + ".1").Single().GetProperty("process").GetProperty("pid").GetInt32() - 10_000);
        Assert.Equal(2, Lines(path + ".3").Single().GetProperty("process").GetProperty("pid").GetInt32() - 10_000);
    }

    [Fact]
    public void ABatchOfLinesIsSplitOnlyBetweenLinesAcrossRotation()
    {
        string path = _directory.File("x.jsonl");
        byte[] one = Formatter.FormatLine(Numbered(0));
        using var sink = Open(path, maxBytes: one.Length * 2, maxFiles: 3);
        var batch = new List<byte>();
        for (int n = 0; n < 5; n++)
        {
            batch.AddRange(Formatter.FormatLine(Numbered(n)));
        }

        sink.WriteLines(batch.ToArray());

        int Pid(JsonElement l) => l.GetProperty("process").GetProperty("pid").GetInt32() - 10_000;
        Assert.Equal([4], Lines(path).Select(Pid));
        Assert.Equal([2, 3], Lines(path + ".1").Select(Pid));
        Assert.Equal([0, 1], Lines(path + ".2").Select(Pid));
    }

    [Fact]
    public void ASecondWriterOfTheSameLogIsRefusedAtOpen()
    {
        string path = _directory.File("x.jsonl");
        using var first = Open(path);

        var error = Assert.Throws<LogFileException>(() => Open(path));

        Assert.Equal($"refusing to write log '{path}': another net-sentinel is already writing it — stop that one or choose another --log-file", error.Message);
        first.Write(Numbered(1)); // the first one is unharmed
    }

    [Fact]
    public void ADeletedLogIsNoticedAndReopenedWithALineSayingSo()
    {
        string path = _directory.File("x.jsonl");
        using var sink = Open(path);
        sink.Write(Numbered(1));
        File.Delete(path);
        Thread.Sleep(JsonlFileSink.PathCheckInterval + TimeSpan.FromMilliseconds(200));

        sink.Write(Numbered(2));

        Assert.Equal(["log_reopened", "high_send_rate"], Lines(path).Select(Action));
        Assert.Equal(1, sink.Reopens);
    }

    [Fact]
    public void ReopenAfterTheLogWasMovedAwayStartsANewFile()
    {
        string path = _directory.File("x.jsonl");
        using var sink = Open(path);
        sink.Write(Numbered(1));
        File.Move(path, path + ".1"); // what logrotate does before it sends SIGHUP

        sink.Reopen("SIGHUP: reopened the log path");
        sink.Write(Numbered(2));

        Assert.Equal(["high_send_rate"], Lines(path + ".1").Select(Action));
        Assert.Equal(["log_reopened", "high_send_rate"], Lines(path).Select(Action));
    }

    [Fact]
    public void AHardLinkedLogIsRefused()
    {
        string path = _directory.File("x.jsonl");
        File.WriteAllText(path, "");
        Run("ln", path, _directory.File("other-name"));

        var error = Assert.Throws<LogFileException>(() => Open(path));

        Assert.Equal($"refusing to write log '{path}': it has 2 hard links — a log must have one name; remove the other links or choose another --log-file", error.Message);
    }

    [RootFact]
    public void ALogOwnedBySomeoneElseIsRefused()
    {
        string path = _directory.File("x.jsonl");
        File.WriteAllText(path, "");
        Run("chown", "65534", path);

        var error = Assert.Throws<LogFileException>(() => Open(path));

        Assert.Equal($"refusing to write log '{path}': it is owned by uid 65534, not by us (uid 0) — remove it or choose another --log-file", error.Message);
    }

    [RootFact]
    public void OnAFullDiskLinesAreDroppedWholeCountedAndReportedWhenSpaceReturns()
    {
        string dir = MountTmpfs();
        string path = Path.Combine(dir, "x.jsonl");
        using var sink = Open(path);
        int written = 0;
        for (int n = 0; n < 3000; n++) // as reported: 3000 lines into 1 MB
        {
            sink.Write(Numbered(n));
            written++;
        }

        Assert.True(sink.LinesDropped > 0, "the disk never filled");
        var kept = Lines(path); // whole lines only
        Assert.Equal(written - sink.LinesDropped, kept.Count(l => Action(l) == "high_send_rate"));
        Assert.Contains(_notes, n => n.Contains("No space left on device; dropping lines until space returns", StringComparison.Ordinal));

        File.Delete(Path.Combine(dir, "filler"));
        sink.Write(Numbered(9999));

        var after = Lines(path);
        var notice = after[^2];
        Assert.Equal("log_lines_dropped", Action(notice));
        Assert.Equal(sink.LinesDropped, notice.GetProperty("net_sentinel").GetProperty("total_lines_dropped").GetInt64());
        // Every dropped line is in some notice's count: nothing is lost silently.
        Assert.Equal(sink.LinesDropped, after.Where(l => Action(l) == "log_lines_dropped").Sum(l => l.GetProperty("net_sentinel").GetProperty("lines_dropped").GetInt64()));
        Assert.Equal(10_000 + 9999, after[^1].GetProperty("process").GetProperty("pid").GetInt32());
    }

    [RootFact]
    public void OnAFullDiskStopRaisesStoppingOnceAndLeavesWholeLines()
    {
        string dir = MountTmpfs();
        string path = Path.Combine(dir, "x.jsonl");
        using var sink = Open(path, action: DiskFullAction.Stop);
        string? reason = null;
        sink.Stopping += r => reason = r;

        var error = Assert.Throws<LogFileException>(() =>
        {
            for (int n = 0; n < 3000; n++)
            {
                sink.Write(Numbered(n));
            }
        });

        Assert.True(error.IsDiskFull);
        Assert.EndsWith("No space left on device; stopping (log.disk_full_action = \"stop\")", reason);
        Lines(path);
    }

    /// <summary>A 1 MB tmpfs, mostly filled so the log has room for a few hundred lines; unmounted in Dispose.</summary>
    private string MountTmpfs()
    {
        _mount = Path.Combine(_directory.Path, "small");
        Directory.CreateDirectory(_mount);
        Run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "harden-test", _mount);
        using (var filler = File.Create(Path.Combine(_mount, "filler")))
        {
            filler.Write(new byte[800 * 1024]);
        }
        return _mount;
    }

    private static void Run(string file, params string[] args)
    {
        using var process = Process.Start(file, args);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
