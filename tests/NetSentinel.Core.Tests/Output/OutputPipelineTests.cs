using System.Text;
using System.Text.Json;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;
using NetSentinel.Core.Output.Pipeline;

namespace NetSentinel.Core.Tests.Output;

public sealed class OutputPipelineTests
{
    private static readonly EcsJsonFormatter Formatter = new("sentinel-test");

    /// <summary>Collects batches; can be made to block (a console nobody reads) or to fail (a syslog server gone).</summary>
    private sealed class RecordingWriter : IBatchWriter
    {
        private readonly Lock _gate = new();
        private readonly List<byte[]> _batches = [];
        public ManualResetEventSlim Open { get; } = new(true);
        public bool Fail { get; set; }

        public void Write(ReadOnlySpan<byte> lines)
        {
            Open.Wait();
            if (Fail) throw new IOException("connection refused");
            lock (_gate) _batches.Add(lines.ToArray());
        }

        public List<byte[]> Batches
        {
            get { lock (_gate) return [.. _batches]; }
        }

        public List<string> Lines => Batches.SelectMany(b => Encoding.UTF8.GetString(b).Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();

        public void Dispose() => Open.Set();
    }

    private static ConnectionLogRecord Opened(int pid) =>
        SampleRecords.ConnectionRecord(SampleRecords.Connection(ConnectionEventKind.Opened) with { Process = SampleRecords.Curl() with { Pid = pid } });

    [Fact]
    public void EachDrainIsOneWriteOfWholeLines()
    {
        var writer = new RecordingWriter();
        var file = new QueuedOutput("file", writer, OutputLines.All, OutputFormat.Json, 1 << 20);
        using (var pipeline = new OutputPipeline(Formatter, [file]))
        {
            writer.Open.Reset(); // hold the thread so all 100 lines are queued before it writes
            for (int i = 0; i < 100; i++) pipeline.Write(Opened(1000 + i));
            writer.Open.Set();
            pipeline.Flush();
        }

        Assert.True(writer.Batches.Count <= 2, $"100 lines of one drain took {writer.Batches.Count} writes");
        var pids = writer.Lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("process").GetProperty("pid").GetInt32());
        Assert.Equal(Enumerable.Range(1000, 100), pids);
        Assert.Equal(100, file.LinesWritten);
        Assert.Equal(0, file.LinesDropped);
    }

    [Fact]
    public void AStuckOutputDropsAndCountsWhileTheOthersGetEveryLine()
    {
        var fileWriter = new RecordingWriter();
        var consoleWriter = new RecordingWriter();
        consoleWriter.Open.Reset(); // a reader that stopped reading: every write blocks
        var file = new QueuedOutput("file", fileWriter, OutputLines.All, OutputFormat.Json, 1 << 20) { StopTimeout = TimeSpan.FromSeconds(10) };
        var console = new QueuedOutput("stdout", consoleWriter, OutputLines.All, OutputFormat.Json, 16 * 1024);
        var pipeline = new OutputPipeline(Formatter, [file, console]);

        var started = DateTime.UtcNow;
        for (int i = 0; i < 500; i++)
        {
            pipeline.Write(Opened(2000 + i));
            pipeline.Flush();
        }
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), "writing to a stuck output blocked the caller");
        Thread.Sleep(1100); // past the drop-report spacing
        pipeline.Flush();
        pipeline.Dispose(); // gives the stuck console 1 s, then counts what it holds as dropped

        Assert.True(console.LinesDropped > 400, $"only {console.LinesDropped} dropped");
        var fileLines = fileWriter.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(500, fileLines.Count(l => l.GetProperty("event").GetProperty("action").GetString() == "connection_opened"));
        var reports = fileLines.Where(l => l.GetProperty("event").GetProperty("action").GetString() == "output_lines_dropped").ToList();
        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.Equal("stdout", r.GetProperty("net_sentinel").GetProperty("output").GetString()));
        // The last report counts every line the console lost, including those still queued at the stop.
        Assert.Equal(console.LinesDropped, reports[^1].GetProperty("net_sentinel").GetProperty("total_lines_dropped").GetInt64());
        consoleWriter.Open.Set();
    }

    [Fact]
    public void TheFileMakesTheMonitorWaitForAnAlertWhenItsQueueIsFullAndLosesNone()
    {
        var writer = new RecordingWriter();
        writer.Open.Reset(); // a disk that stalls
        var file = new QueuedOutput("file", writer, OutputLines.All, OutputFormat.Json, 8 * 1024) { WaitWhenFull = true, StopTimeout = TimeSpan.FromSeconds(10) };
        var pipeline = new OutputPipeline(Formatter, [file]);
        var producer = new Thread(() =>
        {
            for (int i = 0; i < 50; i++) pipeline.Write(SampleRecords.HighSendRate() with { Message = $"alert {i}" });
        });
        producer.Start();
        // Wait for the queue to be full first: on a loaded machine the first lines (JIT, formatting) alone can take 300 ms.
        Assert.True(SpinWait.SpinUntil(() => file.QueuedBytes > 8 * 1024 / 2, 30_000), "the queue never filled");
        Assert.False(producer.Join(300), "the monitor went on although the file's queue was full");
        writer.Open.Set();
        Assert.True(producer.Join(10_000));
        pipeline.Dispose();

        Assert.Equal(0, file.LinesDropped);
        Assert.Equal(50, writer.Lines.Count);
        // Counted, but not how long: on a loaded machine the producer may fill the queue only just before the disk resumes.
        Assert.True(file.BlockedTime > TimeSpan.Zero);
    }

    [Fact]
    public void ConnectionLinesWaitForTheFileOnlyBrieflyAndLeaveRoomForAlerts()
    {
        // Issue #15: while the monitor waited for the disk, the kernel's ring buffer filled and detection lost events.
        // A drain's connection lines wait at most QueuedOutput.PerEventWaitPerDrain, then drop.
        var writer = new RecordingWriter();
        writer.Open.Reset(); // a disk that stalls
        var file = new QueuedOutput("file", writer, OutputLines.All, OutputFormat.Json, 16 * 1024) { WaitWhenFull = true, StopTimeout = TimeSpan.FromSeconds(10) };
        var pipeline = new OutputPipeline(Formatter, [file]);
        var producer = new Thread(() =>
        {
            for (int i = 0; i < 200; i++) pipeline.Write(Opened(3000 + i));
            pipeline.Write(SampleRecords.HighSendRate()); // the alert the storm caused
        });
        producer.Start();
        // The disk stays stalled until the producer is done: a wait on it would never end.
        Assert.True(producer.Join(30_000), "connection lines made the monitor wait for a stalled disk");
        Assert.True(file.LinesDropped > 0, "200 connection lines fitted a 16 KiB queue");
        Assert.InRange(file.BlockedTime, QueuedOutput.PerEventWaitPerDrain * 0.9, TimeSpan.FromSeconds(5));
        Assert.True(file.QueuedBytes <= 16 * 1024);
        writer.Open.Set();
        pipeline.Dispose();

        List<string> lines = writer.Lines;
        Assert.Contains(lines, l => l.Contains("\"action\":\"high_send_rate\"", StringComparison.Ordinal));
        Assert.Equal(201, lines.Count(l => l.Contains("\"dataset\":\"net_sentinel.connection\"", StringComparison.Ordinal)
                                           || l.Contains("\"action\":\"high_send_rate\"", StringComparison.Ordinal)) + file.LinesDropped);
        // The loss is said in the file itself.
        Assert.Contains(lines, l => l.Contains("\"action\":\"output_lines_dropped\"", StringComparison.Ordinal));
    }

    [Fact]
    public void WhileTheSourceHoldsTheEventsConnectionLinesWaitOutADiskPauseAndNoneIsLost()
    {
        // The kernel pauses a writer over its dirty-page limit (up to 200 ms at a time): with the ring buffer less than
        // half full the monitor may wait that out, and the storm's lines all reach the file.
        var writer = new RecordingWriter();
        writer.Open.Reset();
        var file = new QueuedOutput("file", writer, OutputLines.All, OutputFormat.Json, 16 * 1024)
        {
            WaitWhenFull = true,
            StopTimeout = TimeSpan.FromSeconds(10),
            SourceHasRoom = () => true,
        };
        var pipeline = new OutputPipeline(Formatter, [file]);
        // The disk pauses 40 ms (a thread of its own: a timer's callback can wait longer for the busy thread pool).
        var resume = new Thread(() =>
        {
            Thread.Sleep(40);
            writer.Open.Set();
        });
        resume.Start();
        for (int i = 0; i < 200; i++)
        {
            pipeline.Write(Opened(4000 + i));
            if (i % 50 == 49) pipeline.Flush(); // drains of 50 events
        }
        pipeline.Dispose();
        resume.Join();

        Assert.Equal(0, file.LinesDropped);
        Assert.Equal(200, writer.Lines.Count(l => l.Contains("\"dataset\":\"net_sentinel.connection\"", StringComparison.Ordinal)));
        Assert.True(file.BlockedTime > QueuedOutput.PerEventWaitPerDrain, $"waited only {file.BlockedTime}");
    }

    [Fact]
    public void EvenWhileTheSourceHasRoomAStuckDiskHoldsADrainOnlyBriefly()
    {
        var writer = new RecordingWriter();
        writer.Open.Reset(); // stalled for the whole drain
        var file = new QueuedOutput("file", writer, OutputLines.All, OutputFormat.Json, 16 * 1024)
        {
            WaitWhenFull = true,
            StopTimeout = TimeSpan.FromSeconds(10),
            SourceHasRoom = () => true,
        };
        var pipeline = new OutputPipeline(Formatter, [file]);
        var producer = new Thread(() =>
        {
            for (int i = 0; i < 200; i++) pipeline.Write(Opened(5000 + i));
        });
        producer.Start();
        Assert.True(producer.Join(30_000), "connection lines made the monitor wait for a stuck disk");
        Assert.True(file.LinesDropped > 0);
        Assert.InRange(file.BlockedTime, QueuedOutput.PerEventWaitWhileSourceHasRoom * 0.9, TimeSpan.FromSeconds(10));
        writer.Open.Set();
        pipeline.Dispose();
    }

    [Fact]
    public void AFailingWriterCountsItsLinesAndRecovers()
    {
        var writer = new RecordingWriter { Fail = true };
        var notes = new List<string>();
        var syslog = new QueuedOutput("syslog", writer, OutputLines.All, OutputFormat.Json, 1 << 20, note => { lock (notes) notes.Add(note); });
        var pipeline = new OutputPipeline(Formatter, [syslog]);
        pipeline.Write(Opened(1));
        pipeline.Flush();
        SpinWait.SpinUntil(() => syslog.LinesFailed == 1, 5000);
        writer.Fail = false;
        pipeline.Write(Opened(2));
        pipeline.Dispose();

        Assert.Equal(1, syslog.LinesFailed);
        Assert.Contains(writer.Lines, l => l.Contains("\"pid\":2", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("output syslog: cannot write: connection refused", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("output syslog: writing again", StringComparison.Ordinal));
    }

    [Fact]
    public void AnAlertsOnlyOutputGetsNoConnectionLines()
    {
        var all = new RecordingWriter();
        var alerts = new RecordingWriter();
        using (var pipeline = new OutputPipeline(Formatter,
                   [new QueuedOutput("file", all, OutputLines.All, OutputFormat.Json, 1 << 20), new QueuedOutput("syslog", alerts, OutputLines.Alerts, OutputFormat.Json, 1 << 20)]))
        {
            pipeline.Write(Opened(7));
            pipeline.Write(SampleRecords.HighSendRate());
            pipeline.Write(SampleRecords.EventsLost());
        }

        Assert.Equal(3, all.Lines.Count);
        Assert.Equal(["high_send_rate", "events_lost"], alerts.Lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("event").GetProperty("action").GetString()));
    }

    [Fact]
    public void TextAndSyslogOutputsGetTheirOwnLayoutOfTheSameRecord()
    {
        var text = new RecordingWriter();
        var syslog = new RecordingWriter();
        var header = new SyslogHeader(SyslogFacility.Daemon, "host name", 4242);
        using (var pipeline = new OutputPipeline(Formatter,
                   [new QueuedOutput("stdout", text, OutputLines.All, OutputFormat.Text, 1 << 20), new QueuedOutput("syslog", syslog, OutputLines.All, OutputFormat.Syslog, 1 << 20)],
                   record => record is AlertRecord a ? $"ALERT {a.Rule}" : null, header))
        {
            pipeline.Write(SampleRecords.HighSendRate());
            pipeline.Write(Opened(7)); // no human line for it here: the text output skips it
        }

        Assert.Equal(["ALERT high_send_rate"], text.Lines);
        Assert.Equal(2, syslog.Lines.Count);
        // <daemon(3)*8 + err(3)>1 TIMESTAMP HOST APP PROCID MSGID - {json}
        string alert = syslog.Lines[0];
        Assert.Matches(@"^<27>1 2025-03-14T13:09:26\.535000Z host_name net-sentinel 4242 alert - \{", alert);
        using var json = JsonDocument.Parse(alert[alert.IndexOf('{')..]);
        Assert.Equal("high_send_rate", json.RootElement.GetProperty("event").GetProperty("action").GetString());
        Assert.StartsWith("<30>1 ", syslog.Lines[1], StringComparison.Ordinal); // daemon.info, MSGID connection
        Assert.Contains(" net-sentinel 4242 connection - {", syslog.Lines[1], StringComparison.Ordinal);
    }
}
