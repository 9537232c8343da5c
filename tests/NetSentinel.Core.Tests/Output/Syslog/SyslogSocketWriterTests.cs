using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;
using NetSentinel.Core.Output.Pipeline;
using NetSentinel.Core.Output.Syslog;

namespace NetSentinel.Core.Tests.Output.Syslog;

/// <summary>
/// The syslog output end to end through the real pipeline (formatter, RFC 5424 header, queue, socket
/// writer) into sockets this test owns: UDP, TCP with octet counting, a Unix datagram socket; and
/// receivers that stop reading or are gone, with the other output getting every line and the loss counted.
/// </summary>
public sealed partial class SyslogSocketWriterTests : IDisposable
{
    private static readonly EcsJsonFormatter Formatter = new("syslog-test");
    private static readonly SyslogHeader Header = new(SyslogFacility.Local3, "syslog-test", 4242);
    private readonly string _dir = Directory.CreateTempSubdirectory("ns-syslog-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [GeneratedRegex(@"^<(\d+)>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z syslog-test net-sentinel 4242 (alert|connection|notice) - (\{.*\})$")]
    private static partial Regex Rfc5424();

    private static ConnectionLogRecord Opened(int pid) =>
        SampleRecords.ConnectionRecord(SampleRecords.Connection(ConnectionEventKind.Opened) with { Process = SampleRecords.Curl() with { Pid = pid } });

    /// <summary>The pid of the JSON message, after checking the header (facility local3 = 19, info = 6: PRI 158).</summary>
    private static int PidOf(string message)
    {
        var match = Rfc5424().Match(message);
        Assert.True(match.Success, message);
        Assert.Equal("158", match.Groups[1].Value);
        Assert.Equal("connection", match.Groups[2].Value);
        return JsonDocument.Parse(match.Groups[3].Value).RootElement.GetProperty("process").GetProperty("pid").GetInt32();
    }

    private static QueuedOutput SyslogOutput(SyslogTarget target, TimeSpan? timeout = null, int capacity = 1 << 20) =>
        new("syslog", new SyslogSocketWriter(target, timeout: timeout), OutputLines.All, OutputFormat.Syslog, capacity);

    private static SyslogTarget Target(string text) => SyslogTarget.TryParse(text, out string problem) ?? throw new ArgumentException(problem);

    [Fact]
    public void UdpGetsOneDatagramPerLine()
    {
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        receiver.ReceiveBufferSize = 4 << 20;
        var syslog = SyslogOutput(Target($"udp:127.0.0.1:{((IPEndPoint)receiver.LocalEndPoint!).Port}"));
        using (var pipeline = new OutputPipeline(Formatter, [syslog], syslogHeader: Header))
        {
            for (int i = 0; i < 200; i++) pipeline.Write(Opened(1000 + i));
            pipeline.Flush();
        }

        receiver.ReceiveTimeout = 5000;
        var buffer = new byte[70_000];
        var pids = new List<int>();
        for (int i = 0; i < 200; i++)
        {
            int n = receiver.Receive(buffer);
            Assert.NotEqual((byte)'\n', buffer[n - 1]);
            pids.Add(PidOf(Encoding.UTF8.GetString(buffer, 0, n)));
        }
        Assert.Equal(Enumerable.Range(1000, 200), pids);
        Assert.Equal(200, syslog.LinesWritten);
    }

    [Fact]
    public void TcpFramesEveryLineWithItsOctetCount()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var syslog = SyslogOutput(Target($"tcp:127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}"));
        using (var pipeline = new OutputPipeline(Formatter, [syslog], syslogHeader: Header))
        {
            for (int i = 0; i < 300; i++) pipeline.Write(Opened(3000 + i));
            pipeline.Flush();
        }
        using var peer = listener.AcceptSocket();
        var frames = ReadFrames(peer, 300);
        Assert.Equal(Enumerable.Range(3000, 300), frames.Select(PidOf));
        Assert.Equal(300, syslog.LinesWritten);
    }

    [Fact]
    public void TcpToAPortNobodyListensOnSaysRefusedAtOnce()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        } // closed again: nothing listens there now
        using var writer = new SyslogSocketWriter(Target($"tcp:127.0.0.1:{port}"));
        var took = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.Throws<IOException>(() => writer.Write(Line(1)));
        Assert.Contains($"cannot connect to tcp:127.0.0.1:{port}", error.Message);
        Assert.Contains("refused", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(took.Elapsed < SyslogSocketWriter.Timeout, $"a refused connect took {took.Elapsed}");
        Assert.Equal(0, writer.Connects);
    }

    [Fact]
    public void TcpReconnectsWhenTheReceiverRestarts()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var writer = new SyslogSocketWriter(Target($"tcp:127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}"));
        writer.Write(Line(1));
        using (var first = listener.AcceptSocket())
        {
            Assert.Equal([1], ReadFrames(first, 1).Select(PidOf));
        } // the receiver goes away (a restart)
        Thread.Sleep(100);
        writer.Write(Line(2));
        using var second = listener.AcceptSocket();
        Assert.Equal([2], ReadFrames(second, 1).Select(PidOf));
        Assert.Equal(2, writer.Connects);
        writer.Dispose();
    }

    [Fact]
    public void UnixDatagramSocketGetsEveryLine()
    {
        string path = Path.Combine(_dir, "log.sock");
        using var receiver = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        receiver.Bind(new UnixDomainSocketEndPoint(path));
        var syslog = SyslogOutput(Target(path));
        var pids = new List<int>();
        var receiving = new Thread(() =>
        {
            var buffer = new byte[70_000];
            receiver.ReceiveTimeout = 5000;
            for (int i = 0; i < 500; i++) pids.Add(PidOf(Encoding.UTF8.GetString(buffer, 0, receiver.Receive(buffer))));
        });
        receiving.Start(); // a reader that keeps up, as journald or rsyslog does
        using (var pipeline = new OutputPipeline(Formatter, [syslog], syslogHeader: Header))
        {
            for (int i = 0; i < 500; i++) pipeline.Write(Opened(5000 + i));
            pipeline.Flush();
        }
        Assert.True(receiving.Join(10_000));
        Assert.Equal(Enumerable.Range(5000, 500), pids);
        Assert.Equal(500, syslog.LinesWritten);
    }

    /// <summary>
    /// Receivers that stop answering: a TCP peer that accepted and never reads, a Unix socket nobody reads,
    /// an address nobody listens on. Writing never waits for them, the other output gets every line, and
    /// every syslog line is accounted for: written, dropped (queue full) or failed (the socket would not take it).
    /// </summary>
    [Theory]
    [InlineData("tcp-never-reads")]
    [InlineData("unix-never-reads")]
    [InlineData("tcp-nobody-listens")]
    public void AReceiverThatDoesNotAnswerCostsOnlyCountedSyslogLines(string receiver)
    {
        const int Lines = 20_000; // ~20 MB: far more than socket buffers and the 1 MiB queue hold
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var unix = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        string target;
        switch (receiver)
        {
            case "tcp-never-reads":
                tcp.ReceiveBufferSize = 4096;
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                tcp.Listen(1); // the kernel accepts the connection; nobody ever reads it
                target = $"tcp:127.0.0.1:{((IPEndPoint)tcp.LocalEndPoint!).Port}";
                break;
            case "unix-never-reads":
                string path = Path.Combine(_dir, "stuck.sock");
                unix.Bind(new UnixDomainSocketEndPoint(path));
                target = path;
                break;
            default:
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0)); // bound, not listening: connects are refused
                target = $"tcp:127.0.0.1:{((IPEndPoint)tcp.LocalEndPoint!).Port}";
                break;
        }

        var fileWriter = new CountingWriter();
        // The file waits for room as it does in the monitor while the ring buffer has room (up to 1 s a drain): with
        // the 20 ms of a drain whose source is filling, a loaded machine that left the file's thread without a core for
        // longer dropped file lines, which is the file's own policy, not what a stuck syslog receiver costs.
        var file = new QueuedOutput("file", fileWriter, OutputLines.All, OutputFormat.Json, 4 << 20)
        {
            WaitWhenFull = true,
            SourceHasRoom = () => true,
            StopTimeout = TimeSpan.FromSeconds(10),
        };
        var syslog = SyslogOutput(Target(target), timeout: TimeSpan.FromMilliseconds(300));
        var pipeline = new OutputPipeline(Formatter, [file, syslog], syslogHeader: Header);
        var writing = Stopwatch.StartNew();
        for (int i = 0; i < Lines; i++)
        {
            pipeline.Write(Opened(100_000 + i));
            if (i % 100 == 99) pipeline.Flush(); // a drain's worth
        }
        writing.Stop();
        var stopping = Stopwatch.StartNew();
        pipeline.Dispose();

        Assert.True(writing.Elapsed < TimeSpan.FromSeconds(20), $"writing took {writing.Elapsed}: the stuck receiver held the monitor back");
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {stopping.Elapsed}");
        // The file got every connection line (plus the output_lines_dropped notices about syslog).
        Assert.Equal(Lines, fileWriter.LinesWith("\"connection_opened\""));
        Assert.True(fileWriter.LinesWith("\"output_lines_dropped\"") > 0, "the file does not say syslog lost lines");
        long lost = syslog.LinesDropped + syslog.LinesFailed;
        Assert.True(lost > Lines / 2, $"only {lost} of {Lines} lines lost to a receiver that takes nothing");
        // Every syslog line is accounted for: notices went to syslog too, so at least Lines in all.
        Assert.True(syslog.LinesWritten + lost >= Lines, $"{syslog.LinesWritten} written + {lost} lost < {Lines}");
        // ... and exactly: the file's lines less the last drop notice, written after syslog had stopped.
        Assert.InRange(fileWriter.Lines - (syslog.LinesWritten + lost), 0, 1);
    }

    [Theory]
    [InlineData("/dev/log", SyslogTransport.UnixDatagram)]
    [InlineData("udp:127.0.0.1:514", SyslogTransport.Udp)]
    [InlineData("tcp:[::1]:6514", SyslogTransport.Tcp)]
    public void TargetsParse(string text, SyslogTransport transport)
    {
        var target = SyslogTarget.TryParse(text, out string problem);
        Assert.True(target is not null, problem);
        Assert.Equal(transport, target.Transport);
        Assert.Equal(text, target.ToString());
    }

    [Theory]
    [InlineData("dev/log", "must be a Unix socket path")]
    [InlineData("udp:logs.example:514", "not a name")]
    [InlineData("tcp:127.0.0.1", "must give ADDRESS:PORT")]
    [InlineData("tcp:127.0.0.1:0", "must give ADDRESS:PORT")]
    [InlineData("udp:::1:514", "IPv6 in brackets")]
    [InlineData("syslog://127.0.0.1:514", "must be a Unix socket path")]
    public void BadTargetsSayWhatIsWrong(string text, string problem)
    {
        Assert.Null(SyslogTarget.TryParse(text, out string said));
        Assert.Contains(problem, said, StringComparison.Ordinal);
    }

    [Fact]
    public void BackoffDoublesUpToItsCeilingAndResetsOnSuccess()
    {
        long now = 0;
        var backoff = new ReconnectBackoff(() => now);
        Assert.True(backoff.MayTry);
        var waits = new List<double>();
        for (int i = 0; i < 9; i++)
        {
            backoff.Failed();
            Assert.False(backoff.MayTry);
            waits.Add(backoff.Remaining.TotalSeconds);
            now += (long)(backoff.Remaining.TotalSeconds * Stopwatch.Frequency) + 1;
            Assert.True(backoff.MayTry);
        }
        Assert.Equal([0.5, 1, 2, 4, 8, 16, 30, 30, 30], waits.Select(w => Math.Round(w, 3)));
        backoff.Succeeded();
        backoff.Failed();
        Assert.Equal(0.5, Math.Round(backoff.Remaining.TotalSeconds, 3));
    }

    private static byte[] Line(int pid)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var record = Opened(pid);
        Header.Write(record, buffer);
        Formatter.WriteLine(record, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads <paramref name="count"/> octet-counted frames (RFC 6587 3.4.1).</summary>
    private static List<string> ReadFrames(Socket peer, int count)
    {
        peer.ReceiveTimeout = 5000;
        using var stream = new NetworkStream(peer);
        var frames = new List<string>();
        for (int i = 0; i < count; i++)
        {
            int length = 0, b;
            while ((b = stream.ReadByte()) != ' ')
            {
                Assert.InRange(b, '0', '9');
                length = length * 10 + (b - '0');
            }
            var message = new byte[length];
            stream.ReadExactly(message);
            frames.Add(Encoding.UTF8.GetString(message));
        }
        return frames;
    }

    /// <summary>The file's stand-in: counts whole lines and the lines holding a marker.</summary>
    private sealed class CountingWriter : IBatchWriter
    {
        private readonly Lock _gate = new();
        private long _lines;
        private readonly List<string> _all = [];

        public long Lines
        {
            get { lock (_gate) return _lines; }
        }

        public void Write(ReadOnlySpan<byte> lines)
        {
            string text = Encoding.UTF8.GetString(lines);
            lock (_gate)
            {
                foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    _lines++;
                    _all.Add(line);
                }
            }
        }

        public int LinesWith(string marker)
        {
            lock (_gate) return _all.Count(l => l.Contains(marker, StringComparison.Ordinal));
        }

        public void Dispose()
        {
        }
    }
}
