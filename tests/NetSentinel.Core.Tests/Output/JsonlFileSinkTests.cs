using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Output;

[SupportedOSPlatform("linux")]
public sealed class JsonlFileSinkTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly EcsJsonFormatter Formatter = SampleRecords.SteadyFormatter();
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    /// <summary>Records of equal line length (pid 10000 + n, five digits) numbered by their pid.</summary>
    private static AlertRecord Numbered(int n) => SampleRecords.HighSendRate() with { Process = SampleRecords.Curl() with { Pid = 10_000 + n } };

    private static int NumberOf(JsonDocument line) => line.RootElement.At("process.pid").GetInt32() - 10_000;

    /// <summary>Every line of a file, each checked to be a complete JSON object.</summary>
    private static List<JsonDocument> ReadLines(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length == 0 || bytes[^1] == (byte)'\n', $"{path} ends in the middle of a line");
        var lines = new List<JsonDocument>();
        int start = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lines.Add(JsonLine.ParseSingle(bytes[start..(i + 1)]));
                start = i + 1;
            }
        }

        return lines;
    }

    [Fact]
    public void NewFileIsCreatedOwnerOnly()
    {
        string path = _directory.File("events.jsonl");

        using (var sink = new JsonlFileSink(path, Formatter))
        {
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
            sink.Write(SampleRecords.EventsLost());
        }

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal(Formatter.FormatLine(SampleRecords.EventsLost()), File.ReadAllBytes(path));
    }

    [Fact]
    public void EachLineIsInTheFileWhenWriteReturns()
    {
        string path = _directory.File("events.jsonl");
        using var sink = new JsonlFileSink(path, Formatter);

        for (int n = 1; n <= 5; n++)
        {
            sink.Write(Numbered(n));
            using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var text = new StreamReader(reader, Encoding.UTF8);
            string content = text.ReadToEnd();
            Assert.Equal(n, content.Count(c => c == '\n'));
            Assert.EndsWith("\n", content, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AnExistingLogIsAppendedToAndBroughtToOwnerOnly()
    {
        string path = _directory.File("events.jsonl");
        File.WriteAllText(path, "{\"earlier\":1}\n");
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using (var sink = new JsonlFileSink(path, Formatter))
        {
            sink.Write(Numbered(1));
        }

        List<JsonDocument> lines = ReadLines(path);
        Assert.Equal(2, lines.Count);
        Assert.Equal(1, lines[0].RootElement.GetProperty("earlier").GetInt32());
        Assert.Equal(1, NumberOf(lines[1]));
        // [log] mode (default 0600) is set exactly, on an existing log too: a widened mode does not stay.
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
    }

    [Fact]
    public void ASymbolicLinkAtThePathIsRefusedAndItsTargetUntouched()
    {
        string target = _directory.File("precious");
        File.WriteAllText(target, "do not touch\n");
        File.SetUnixFileMode(target, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        string path = _directory.File("events.jsonl");
        File.CreateSymbolicLink(path, target);

        var error = Assert.Throws<LogFileException>(() => new JsonlFileSink(path, Formatter));

        Assert.Equal($"refusing to write log '{path}': it is a symbolic link — remove it or choose another --log-file", error.Message);
        Assert.Equal(path, error.LogPath);
        Assert.Equal("do not touch\n", File.ReadAllText(target));
        Assert.Equal(OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(target));
    }

    [Fact]
    public void ADanglingSymbolicLinkIsRefusedAndNothingIsCreatedAtItsTarget()
    {
        string target = _directory.File("would-be-created");
        string path = _directory.File("events.jsonl");
        File.CreateSymbolicLink(path, target);

        var error = Assert.Throws<LogFileException>(() => new JsonlFileSink(path, Formatter));

        Assert.StartsWith($"refusing to write log '{path}': it is a symbolic link", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public void ADirectoryAtThePathIsRefused()
    {
        string path = _directory.File("events.jsonl");
        Directory.CreateDirectory(path);

        var error = Assert.Throws<LogFileException>(() => new JsonlFileSink(path, Formatter));

        Assert.Equal($"cannot write log '{path}': it is a directory — choose another --log-file", error.Message);
    }

    [Fact]
    public void AMissingDirectoryIsNotCreated()
    {
        string missing = _directory.File("no-such-dir");
        string path = Path.Combine(missing, "events.jsonl");

        var error = Assert.Throws<LogFileException>(() => new JsonlFileSink(path, Formatter));

        Assert.Equal($"cannot write log '{path}': directory '{missing}' does not exist — create it or choose another --log-file", error.Message);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void AFifoAtThePathFailsInsteadOfHanging()
    {
        string path = _directory.File("events.jsonl");
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!)
        {
            Assert.True(mkfifo.WaitForExit(10_000));
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var stopwatch = Stopwatch.StartNew();
        var error = Assert.Throws<LogFileException>(() => new JsonlFileSink(path, Formatter));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal($"refusing to write log '{path}': it is a FIFO — choose another --log-file", error.Message);
    }

    [Fact]
    public void RotationKeepsExactlyTheNewestLinesInWholeFiles()
    {
        string path = _directory.File("events.jsonl");
        int lineLength = Formatter.FormatLine(Numbered(0)).Length;
        const int linesPerFile = 10;
        const int maxFiles = 3;
        const int written = 2003;
        long maxBytes = (linesPerFile * lineLength) + (lineLength / 2);

        using (var sink = new JsonlFileSink(path, Formatter, maxBytes, maxFiles))
        {
            for (int n = 0; n < written; n++)
            {
                sink.Write(Numbered(n));
            }
        }

        // 2003 lines in files of 10: the current file holds the last 3, and each of the 3 kept
        // rotated files holds 10 whole lines, so the newest 33 lines survive: 1970 … 2002.
        const int currentLines = written % linesPerFile;
        const int kept = currentLines + (maxFiles * linesPerFile);
        var expectedFiles = new[] { $"{path}.3", $"{path}.2", $"{path}.1", path };
        Assert.Equal(
            expectedFiles.Order(StringComparer.Ordinal),
            Directory.GetFiles(_directory.Path).Order(StringComparer.Ordinal));

        var numbers = new List<int>();
        foreach (string file in expectedFiles)
        {
            Assert.True(new FileInfo(file).Length <= maxBytes, $"{file} is larger than maxBytes");
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(file));
            List<JsonDocument> lines = ReadLines(file);
            Assert.Equal(file == path ? currentLines : linesPerFile, lines.Count);
            numbers.AddRange(lines.Select(NumberOf));
        }

        Assert.Equal(kept, numbers.Count);
        Assert.Equal(Enumerable.Range(written - kept, kept), numbers);
    }

    [Fact]
    public void RotationNeverSplitsLinesOfVaryingLength()
    {
        string path = _directory.File("events.jsonl");
        const long maxBytes = 4096;
        const int maxFiles = 2;
        const int written = 500;
        var random = new Random(20250314);

        using (var sink = new JsonlFileSink(path, Formatter, maxBytes, maxFiles))
        {
            for (int n = 0; n < written; n++)
            {
                string name = new string('x', random.Next(0, 600)) + "\n\"";
                sink.Write(Numbered(n) with { Process = SampleRecords.Curl() with { Pid = 10_000 + n, Name = name } });
            }
        }

        string[] files = Directory.GetFiles(_directory.Path);
        Assert.InRange(files.Length, 1, maxFiles + 1);
        var numbers = new List<int>();
        foreach (string file in new[] { $"{path}.2", $"{path}.1", path })
        {
            Assert.True(new FileInfo(file).Length <= maxBytes, $"{file} is larger than maxBytes");
            numbers.AddRange(ReadLines(file).Select(NumberOf));
        }

        // Whatever was kept is a contiguous run ending with the last line written.
        Assert.Equal(written - 1, numbers[^1]);
        Assert.Equal(Enumerable.Range(numbers[0], numbers.Count), numbers);
    }

    [Fact]
    public void ALineLongerThanMaxBytesGetsAFileOfItsOwn()
    {
        string path = _directory.File("events.jsonl");

        using (var sink = new JsonlFileSink(path, Formatter, maxBytes: 100, maxFiles: 5))
        {
            for (int n = 0; n < 3; n++)
            {
                sink.Write(Numbered(n));
            }
        }

        Assert.Equal(3, Directory.GetFiles(_directory.Path).Length);
        Assert.Equal(0, NumberOf(Assert.Single(ReadLines($"{path}.2"))));
        Assert.Equal(1, NumberOf(Assert.Single(ReadLines($"{path}.1"))));
        Assert.Equal(2, NumberOf(Assert.Single(ReadLines(path))));
    }

    [Fact]
    public void TheSizeOfAnExistingLogCountsTowardsRotation()
    {
        string path = _directory.File("events.jsonl");
        File.WriteAllText(path, new string('#', 990) + "\n");

        using (var sink = new JsonlFileSink(path, Formatter, maxBytes: 1000, maxFiles: 1))
        {
            sink.Write(Numbered(7));
        }

        Assert.Equal(new string('#', 990) + "\n", File.ReadAllText($"{path}.1"));
        Assert.Equal(7, NumberOf(Assert.Single(ReadLines(path))));
    }

    [Fact]
    public void WithNoRotatedFilesKeptTheLogStartsOver()
    {
        string path = _directory.File("events.jsonl");
        int lineLength = Formatter.FormatLine(Numbered(0)).Length;

        using (var sink = new JsonlFileSink(path, Formatter, maxBytes: lineLength * 2, maxFiles: 0))
        {
            for (int n = 0; n < 5; n++)
            {
                sink.Write(Numbered(n));
            }
        }

        Assert.Equal([path], Directory.GetFiles(_directory.Path));
        Assert.Equal([4], ReadLines(path).Select(NumberOf));
    }

    [Fact]
    public void ASymbolicLinkAmongRotatedFilesIsMovedNotFollowed()
    {
        string target = _directory.File("precious");
        File.WriteAllText(target, "do not touch\n");
        string path = _directory.File("events.jsonl");
        File.CreateSymbolicLink($"{path}.1", target);
        int lineLength = Formatter.FormatLine(Numbered(0)).Length;

        using (var sink = new JsonlFileSink(path, Formatter, maxBytes: lineLength, maxFiles: 2))
        {
            sink.Write(Numbered(0));
            sink.Write(Numbered(1));
        }

        Assert.Equal("do not touch\n", File.ReadAllText(target));
        Assert.Equal(target, new FileInfo($"{path}.2").LinkTarget);
        Assert.Null(new FileInfo($"{path}.1").LinkTarget);
        Assert.Equal([0], ReadLines($"{path}.1").Select(NumberOf));
        Assert.Equal([1], ReadLines(path).Select(NumberOf));

        // One more rotation drops the oldest, which is the link itself, never its target.
        using (var sink = new JsonlFileSink(path, Formatter, maxBytes: lineLength, maxFiles: 2))
        {
            sink.Write(Numbered(2));
        }

        Assert.Equal("do not touch\n", File.ReadAllText(target));
        Assert.False(File.Exists($"{path}.3"));
        Assert.Null(new FileInfo($"{path}.2").LinkTarget);
        Assert.Equal([0], ReadLines($"{path}.2").Select(NumberOf));
    }

    [Fact]
    public void ASymbolicLinkPlantedDuringRotationIsRefused()
    {
        string target = _directory.File("precious");
        File.WriteAllText(target, "do not touch\n");
        string path = _directory.File("events.jsonl");
        int lineLength = Formatter.FormatLine(Numbered(0)).Length;

        using var sink = new JsonlFileSink(path, Formatter, lineLength, 2, new SymlinkPlantingFileSystem(path, target));
        sink.Write(Numbered(0));

        var error = Assert.Throws<LogFileException>(() => sink.Write(Numbered(1)));

        Assert.Equal($"refusing to write log '{path}': it is a symbolic link — remove it or choose another --log-file", error.Message);
        Assert.Equal("do not touch\n", File.ReadAllText(target));
        Assert.Equal([0], ReadLines($"{path}.1").Select(NumberOf));

        // It keeps refusing rather than falling back to following the link.
        Assert.Throws<LogFileException>(() => sink.Write(Numbered(2)));
        Assert.Equal("do not touch\n", File.ReadAllText(target));
    }

    [Fact]
    public void WritingAfterDisposeIsRefused()
    {
        var sink = new JsonlFileSink(_directory.File("events.jsonl"), Formatter);
        sink.Dispose();
        sink.Dispose();

        Assert.Throws<ObjectDisposedException>(() => sink.Write(Numbered(0)));
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(100, -1)]
    public void ImpossibleRotationLimitsAreRejected(long maxBytes, int maxFiles)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonlFileSink(_directory.File("events.jsonl"), Formatter, maxBytes, maxFiles));
        Assert.False(File.Exists(_directory.File("events.jsonl")));
    }

    [Fact]
    public void DefaultsAreTenMegabytesTimesFive()
    {
        using var sink = new JsonlFileSink(_directory.File("events.jsonl"));

        Assert.Equal(10 * 1024 * 1024, sink.MaxBytes);
        Assert.Equal(5, sink.MaxFiles);
    }
}
