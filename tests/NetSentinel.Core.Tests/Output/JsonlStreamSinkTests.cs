using System.Text;
using System.Text.Json;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Output;

public class JsonlStreamSinkTests
{
    private static readonly EcsJsonFormatter Formatter = SampleRecords.SteadyFormatter();

    [Fact]
    public void StreamGetsTheSameLinesAsTheFile()
    {
        using var stream = new MemoryStream();
        using (var sink = new JsonlStreamSink(stream, Formatter))
        {
            sink.Write(SampleRecords.HighSendRate());
            sink.Write(SampleRecords.EventsLost());
        }

        byte[] expected = [.. Formatter.FormatLine(SampleRecords.HighSendRate()), .. Formatter.FormatLine(SampleRecords.EventsLost())];
        Assert.Equal(expected, stream.ToArray());
        Assert.True(stream.CanWrite, "leaveOpen defaults to true: stdout must stay open");
    }

    [Fact]
    public void TextWriterGetsOneLinePerRecord()
    {
        using var writer = new StringWriter();
        using (var sink = new JsonlStreamSink(writer, Formatter))
        {
            sink.Write(SampleRecords.ConnectionRecord(SampleRecords.Connection(ConnectionEventKind.Opened)));
            sink.Write(SampleRecords.HighSendRate() with { Process = new ProcessInfo { Pid = 3, Name = "two\nlines é" } });
        }

        string[] lines = writer.ToString().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal(string.Empty, lines[2]);
        using JsonDocument first = JsonDocument.Parse(lines[0]);
        using JsonDocument second = JsonDocument.Parse(lines[1]);
        Assert.Equal("connection_opened", first.RootElement.At("event.action").GetString());
        Assert.Equal("two\nlines é", second.RootElement.At("process.name").GetString());
        Assert.Equal(Encoding.UTF8.GetString(Formatter.FormatLine(SampleRecords.EventsLost())), WriteOne(SampleRecords.EventsLost()));
    }

    [Fact]
    public void EachLineIsFlushedBeforeWriteReturns()
    {
        using var stream = new FlushCountingStream();
        using var sink = new JsonlStreamSink(stream, Formatter);

        sink.Write(SampleRecords.EventsLost());
        sink.Write(SampleRecords.EventsLost());

        Assert.Equal(2, stream.Flushes);
    }

    [Fact]
    public void WithoutLeaveOpenTheStreamIsClosed()
    {
        var stream = new MemoryStream();
        var sink = new JsonlStreamSink(stream, Formatter, leaveOpen: false);
        sink.Dispose();

        Assert.False(stream.CanWrite);
        Assert.Throws<ObjectDisposedException>(() => sink.Write(SampleRecords.EventsLost()));
    }

    private static string WriteOne(LogRecord record)
    {
        using var writer = new StringWriter();
        using var sink = new JsonlStreamSink(writer, Formatter);
        sink.Write(record);
        return writer.ToString();
    }

    private sealed class FlushCountingStream : MemoryStream
    {
        public int Flushes { get; private set; }

        public override void Flush()
        {
            Flushes++;
            base.Flush();
        }
    }
}
