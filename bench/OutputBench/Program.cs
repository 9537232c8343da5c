// Lines per second each output's writer sustains (issue 16), measured on the writer alone: the real
// formatter makes N connection_opened lines (≈ 1 KB each, RFC 5424 header for syslog), which are handed
// to the output's IBatchWriter in batches of 100 lines, as the output thread does after a drain. The
// receivers are real and counted: a file in /tmp, fd 1 (run with `| cat >/dev/null`), and syslog sockets
// this program reads from a thread of its own (UDP, TCP with octet counting, a Unix datagram socket).
// Usage: dotnet run -c Release --project bench/OutputBench -- [lines] | cat >/dev/null   (results on stderr)
using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;
using NetSentinel.Core.Output.Pipeline;
using NetSentinel.Core.Output.Syslog;

int lines = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 200_000;
const int BatchLines = 100;
var formatter = new EcsJsonFormatter("bench-host");
var header = new SyslogHeader(SyslogFacility.Daemon, "bench-host", Environment.ProcessId);
var process = new ProcessInfo { Pid = 4242, ParentPid = 1, Uid = 0, UserName = "root", Name = "curl", Executable = "/usr/bin/curl", CommandLine = "curl https://198.51.100.2/", IdentifiedBy = AttributionSource.Kernel };

byte[][] Batches(bool syslog)
{
    var batches = new List<byte[]>();
    var buffer = new ArrayBufferWriter<byte>();
    for (int i = 0; i < lines; i++)
    {
        var record = new ConnectionLogRecord
        {
            Timestamp = DateTimeOffset.UtcNow,
            Source = "ebpf",
            Event = new ConnectionEvent
            {
                Kind = ConnectionEventKind.Opened, Timestamp = DateTimeOffset.UtcNow, ConnectionId = (ulong)i, Transport = Transport.Tcp,
                Local = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40000 + i % 20000), Remote = new IPEndPoint(IPAddress.Parse("198.51.100.2"), 443), Process = process,
            },
        };
        if (syslog) header.Write(record, buffer);
        formatter.WriteLine(record, buffer);
        if (i % BatchLines == BatchLines - 1 || i == lines - 1)
        {
            batches.Add(buffer.WrittenSpan.ToArray());
            buffer.ResetWrittenCount();
        }
    }
    return [.. batches];
}

void Measure(string name, IBatchWriter writer, byte[][] batches, Func<long>? received = null)
{
    long bytes = batches.Sum(b => (long)b.Length);
    var clock = Stopwatch.StartNew();
    var cpu = Environment.CpuUsage.TotalTime;
    long failed = 0;
    foreach (var batch in batches)
    {
        try { writer.Write(batch); }
        catch (IOException) { failed += BatchLines; }
    }
    // Until the receiver has every line: a socket buffer may hold the last of them.
    var deadline = DateTime.UtcNow.AddSeconds(10);
    while (received is not null && received() < lines && DateTime.UtcNow < deadline) Thread.Sleep(1);
    double seconds = clock.Elapsed.TotalSeconds;
    Console.Error.WriteLine($"{name,-12} {lines / seconds,10:N0} lines/s  {bytes / seconds / 1e6,7:N1} MB/s  avg line {bytes / lines} B  " +
                            $"process CPU (with receiver) {(Environment.CpuUsage.TotalTime - cpu).TotalMicroseconds / lines:N2} us/line  failed {failed}" +
                            (received is null ? "" : $"  received {received()} of {lines}"));
    writer.Dispose();
}

string dir = Directory.CreateTempSubdirectory("ns-output-bench-").FullName;
try
{
    var json = Batches(syslog: false);
    var syslogLines = Batches(syslog: true);

    using (var file = new JsonlFileSink(Path.Combine(dir, "log.jsonl"), maxBytes: 10L << 20, maxFiles: 5))
        Measure("file", new FileBatchWriter(file), json);
    Measure("stdout", new DescriptorBatchWriter(1), json);

    using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 32 << 20 };
    udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    long udpCount = 0;
    Drain(() => { var b = new byte[70_000]; while (true) { udp.Receive(b); Interlocked.Increment(ref udpCount); } });
    Measure("syslog udp", new SyslogSocketWriter(SyslogTarget.TryParse($"udp:127.0.0.1:{((IPEndPoint)udp.LocalEndPoint!).Port}", out _)!), syslogLines, () => Interlocked.Read(ref udpCount));

    using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    tcp.Listen(1);
    long tcpCount = 0;
    Drain(() =>
    {
        using var peer = tcp.Accept();
        using var stream = new BufferedStream(new NetworkStream(peer), 1 << 20);
        var message = new byte[70_000];
        while (true)
        {
            int length = 0, b;
            while ((b = stream.ReadByte()) != ' ') { if (b < 0) return; length = length * 10 + (b - '0'); }
            stream.ReadExactly(message, 0, length);
            Interlocked.Increment(ref tcpCount);
        }
    });
    Measure("syslog tcp", new SyslogSocketWriter(SyslogTarget.TryParse($"tcp:127.0.0.1:{((IPEndPoint)tcp.LocalEndPoint!).Port}", out _)!), syslogLines, () => Interlocked.Read(ref tcpCount));

    string path = Path.Combine(dir, "log.sock");
    using var unix = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { ReceiveBufferSize = 32 << 20 };
    unix.Bind(new UnixDomainSocketEndPoint(path));
    long unixCount = 0;
    Drain(() => { var b = new byte[70_000]; while (true) { unix.Receive(b); Interlocked.Increment(ref unixCount); } });
    Measure("syslog unix", new SyslogSocketWriter(SyslogTarget.TryParse(path, out _)!), syslogLines, () => Interlocked.Read(ref unixCount));
}
finally
{
    Directory.Delete(dir, recursive: true);
}

static void Drain(Action read) => new Thread(() =>
{
    try { read(); }
    catch (SocketException) { }
    catch (ObjectDisposedException) { }
    catch (IOException) { }
}) { IsBackground = true }.Start();
