using System.Runtime.Versioning;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Output;

/// <summary>Batches of whole lines (one write per drain) rotate at line boundaries like single lines do.</summary>
[SupportedOSPlatform("linux")]
public sealed class JsonlFileSinkBatchTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static byte[] Lines(int first, int count, int width) =>
        System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(first, count).Select(n => n.ToString().PadLeft(width - 1, '0') + "\n")));

    [Fact]
    public void ABatchCrossingTheSizeLimitIsSplitAtLineBoundariesAcrossRotations()
    {
        string path = _directory.File("batch.jsonl");
        using (var sink = new JsonlFileSink(path, maxBytes: 100, maxFiles: 10))
        {
            sink.WriteLines(Lines(0, 25, 10)); // 250 bytes: 10 lines per file
            sink.WriteLines(Lines(25, 3, 10));
            Assert.Equal(2, sink.Rotations);
        }

        var files = new[] { $"{path}.2", $"{path}.1", path };
        var all = new List<string>();
        foreach (string file in files)
        {
            byte[] bytes = File.ReadAllBytes(file);
            Assert.True(bytes.Length <= 100, $"{file} has {bytes.Length} bytes");
            Assert.Equal((byte)'\n', bytes[^1]);
            all.AddRange(File.ReadAllLines(file));
        }
        Assert.Equal(Enumerable.Range(0, 28).Select(n => n.ToString().PadLeft(9, '0')), all);
    }

    [Fact]
    public void ALineLongerThanTheLimitInsideABatchGoesAloneIntoAFile()
    {
        string path = _directory.File("long.jsonl");
        byte[] batch = [.. Lines(0, 2, 10), .. Lines(2, 1, 300), .. Lines(3, 1, 10)];
        using (var sink = new JsonlFileSink(path, maxBytes: 100, maxFiles: 10))
        {
            sink.WriteLines(batch);
        }

        Assert.Equal(2, File.ReadAllLines($"{path}.2").Length);
        Assert.Equal(300, File.ReadAllBytes($"{path}.1").Length);
        Assert.Single(File.ReadAllLines(path));
    }
}
