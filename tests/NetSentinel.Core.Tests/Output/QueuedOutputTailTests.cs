using System.Text;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;
using NetSentinel.Core.Output.Pipeline;

namespace NetSentinel.Core.Tests.Output;

/// <summary>
/// Per-event lines formatted straight into the file's queue (its tail, issue #15): the same bytes in the same order as
/// a line formatted aside and copied in, whatever fits the tail or not, alerts in between, and the output's thread
/// gets them without waiting for the drain's end.
/// </summary>
public sealed class QueuedOutputTailTests
{
    /// <summary>Collects what the output's thread writes; can hold it (a disk that stalls).</summary>
    private sealed class RecordingWriter : IBatchWriter
    {
        private readonly Lock _gate = new();
        private readonly MemoryStream _written = new();
        private int _batches;

        public ManualResetEventSlim Open { get; } = new(true);

        public int Batches => Volatile.Read(ref _batches);

        public void Write(ReadOnlySpan<byte> lines)
        {
            Open.Wait();
            lock (_gate)
            {
                _written.Write(lines);
                _batches++;
            }
        }

        public byte[] Bytes
        {
            get { lock (_gate) return _written.ToArray(); }
        }

        public void Dispose() => Open.Set();
    }

    private static ConnectionLogRecord Opened(int pid, int commandLineBytes = 0) =>
        SampleRecords.ConnectionRecord(SampleRecords.Connection(ConnectionEventKind.Opened) with
        {
            Process = SampleRecords.Curl() with { Pid = pid, CommandLine = commandLineBytes == 0 ? "curl https://example.com" : new string('x', commandLineBytes) },
        });

    [Fact]
    public void LinesFormattedIntoTheQueueAreTheFormattersBytesInOrderAroundAlerts()
    {
        // Lines of ~1 KB and some of 20-40 KB: tails fill, big lines do not fit what is left of one, and the queue
        // (64 KiB, per-event lines up to 48 KiB) fills so lines wait for the writer; an alert every 7 lines.
        var formatter = SampleRecords.SteadyFormatter();
        var records = new List<LogRecord>();
        for (int i = 0; i < 300; i++)
        {
            records.Add(i % 7 == 3 ? SampleRecords.HighSendRate() with { Message = $"alert {i}" } : Opened(1000 + i, i % 11 == 5 ? 20_000 + (i * 97 % 20_000) : 0));
        }
        var file = new RecordingWriter();
        var copy = new RecordingWriter();
        var fileOutput = new QueuedOutput("file", file, OutputLines.All, OutputFormat.Json, 64 * 1024) { WaitWhenFull = true, SourceHasRoom = () => true };
        var copyOutput = new QueuedOutput("stdout", copy, OutputLines.All, OutputFormat.Json, 4 << 20);
        using (var pipeline = new OutputPipeline(formatter, [fileOutput, copyOutput]))
        {
            for (int i = 0; i < records.Count; i++)
            {
                pipeline.Write(records[i]);
                if (i % 50 == 49) pipeline.Flush();
            }
        }

        byte[] expected = [.. records.SelectMany(formatter.FormatLine)];
        Assert.Equal(0, fileOutput.LinesDropped);
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(file.Bytes));
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(copy.Bytes));
        Assert.Equal(records.Count, fileOutput.LinesWritten);
    }

    [Fact]
    public void TheOutputsThreadGetsTheTailWithoutWaitingForTheDrainsEnd()
    {
        // A drain that goes on (a storm the monitor never stops reading): its lines are written all the same, within
        // about QueuedOutput.MaxDelay, not at the drain's end only.
        var file = new RecordingWriter();
        var output = new QueuedOutput("file", file, OutputLines.All, OutputFormat.Json, 1 << 20);
        using var pipeline = new OutputPipeline(SampleRecords.SteadyFormatter(), [output]);
        // Lines of ~1 KB every 25 ms, fewer than fill one tail (64 KiB), well past MaxDelay.
        int lines = 0;
        while (file.Batches == 0 && lines < 40)
        {
            pipeline.Write(Opened(2000 + lines++));
            Thread.Sleep(25);
        }
        // The last line's end may be what handed the tail over: its write may be under way.
        Assert.True(SpinWait.SpinUntil(() => file.Batches > 0, 2000), $"{lines} lines of one drain, none written before its end");
    }

    [Fact]
    public void AStormsLinesReachTheWriterInBatchesOfManyTailsNotOneWakePerTail()
    {
        // ~1 MiB of lines in one drain (16 tails), under half of a 4 MiB queue, a tail's worth every 2 ms: the output's
        // thread waits for the drain's end (or MaxDelay) and takes them in one batch or two. Woken by each tail's
        // first line, it took them a tail at a time (a futex wake on the monitor's thread each, issue #15).
        var formatter = SampleRecords.SteadyFormatter();
        int length = formatter.FormatLine(Opened(3000, 1000)).Length;
        int lines = (1 << 20) / length + 1;
        var file = new RecordingWriter();
        var output = new QueuedOutput("file", file, OutputLines.All, OutputFormat.Json, 4 << 20);
        using (var pipeline = new OutputPipeline(formatter, [output]))
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            for (int i = 0; i < lines; i++)
            {
                pipeline.Write(Opened(3000 + i, 1000));
                if (i % (QueuedOutput.TailBytes / length) == 0) Thread.Sleep(2);
            }
            TimeSpan took = System.Diagnostics.Stopwatch.GetElapsedTime(start);
            pipeline.Flush();
            Assert.True(SpinWait.SpinUntil(() => output.LinesWritten == lines, 5000), $"{output.LinesWritten} of {lines} lines written");
            // Each MaxDelay the drain took may end one batch early; a tail at a time would be ~16.
            int allowed = 2 + (int)(took / QueuedOutput.MaxDelay);
            Assert.True(file.Batches <= allowed, $"{lines} lines in {file.Batches} batches in {took.TotalMilliseconds:0} ms (at most {allowed})");
        }
    }

    [Fact]
    public void ALineWhoseFormattingFailedLeavesNothingAndOneThatOutgrewTheTailKeepsItsStart()
    {
        var file = new RecordingWriter();
        var output = new QueuedOutput("file", file, OutputLines.All, OutputFormat.Json, 1 << 20);

        var writer = output.BeginPerEventLine();
        Write(writer, "{\"half\":"u8, 0);
        output.AbandonPerEventLine(); // the formatter threw mid-line

        // A line written in pieces whose last piece no longer fits the tail: its first piece goes along with it.
        writer = output.BeginPerEventLine();
        Write(writer, "{\"big\":\""u8, 0);
        Write(writer, Encoding.ASCII.GetBytes(new string('b', 100_000)), 100_000);
        Write(writer, "\"}\n"u8, 0);
        Assert.True(output.EndPerEventLine(out ReadOnlySpan<byte> big));
        Assert.Equal(100_011, big.Length);

        writer = output.BeginPerEventLine();
        Write(writer, "{\"small\":1}\n"u8, 0);
        Assert.True(output.EndPerEventLine(out ReadOnlySpan<byte> small));
        Assert.Equal("{\"small\":1}\n", Encoding.ASCII.GetString(small));
        output.Flush();
        output.Dispose();

        Assert.Equal("{\"big\":\"" + new string('b', 100_000) + "\"}\n{\"small\":1}\n", Encoding.ASCII.GetString(file.Bytes));
        Assert.Equal(2, output.LinesWritten);
    }

    private static void Write(System.Buffers.IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes, int sizeHint)
    {
        Span<byte> span = writer.GetSpan(sizeHint);
        bytes.CopyTo(span);
        writer.Advance(bytes.Length);
    }
}
