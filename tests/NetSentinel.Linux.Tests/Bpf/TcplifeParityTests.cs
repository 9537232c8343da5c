using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Bpf;
using NetSentinel.Tests.Shared;
using Xunit.Abstractions;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>Checks our view of a connection burst against a peer no one here wrote: Debian's libbpf-tools tcplife.</summary>
[Collection(BpfTestCollection.Name)]
public class TcplifeParityTests(ITestOutputHelper output)
{
    private const string Tcplife = "/usr/sbin/tcplife";
    private const string TracefsPath = "/sys/kernel/tracing";

    [RootFact]
    public void TcplifeSeesTheSameConnectionsAndBytes()
    {
        Assert.True(File.Exists(Tcplife), $"{Tcplife} missing: install libbpf-tools");
        const int Count = 2000;
        const int BytesEach = 10_000;
        bool mountedTracefs = MountTracefsIfNeeded();
        try
        {
            using var net = new TestNetwork();
            using var listener = net.ListenTcp(net.PeerV4, backlog: 4096);
            var target = (IPEndPoint)listener.LocalEndPoint!;
            using var source = BpfConnectionSource.Start();
            long lostBefore = source.EventsLost;
            var recorder = new EventRecorder();
            using var tcplife = new TcplifeRun(target.Port);

            var server = Task.Run(() =>
            {
                var buffer = new byte[16384];
                for (int i = 0; i < Count; i++)
                {
                    using Socket accepted = listener.Accept();
                    while (accepted.Receive(buffer) > 0) { }
                }
            });
            var client = Task.Run(() =>
            {
                var payload = new byte[BytesEach];
                for (int i = 0; i < Count; i++)
                {
                    // tcplife's perf buffer (64 KiB per CPU) overflows at our full connect rate, and it reports
                    // no loss for it; paced like this it keeps up. Our own loss at full rate is the burst test's job.
                    if (i % 25 == 24) Thread.Sleep(25);
                    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    socket.Connect(target);
                    socket.Send(payload);
                    socket.Shutdown(SocketShutdown.Send);
                    socket.Receive(payload); // the server's FIN: both sides closed cleanly, bytes acknowledged
                }
            });

            Assert.True(recorder.PumpUntil(source, () => client.IsCompleted
                && recorder.Events.Count(e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target)) >= Count, TimeSpan.FromSeconds(90)));
            client.GetAwaiter().GetResult();
            Assert.True(server.Wait(10_000));
            Dictionary<int, TcplifeLine> theirs = tcplife.Collect(Count, TimeSpan.FromSeconds(30));

            var ours = recorder.Events.Where(e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target)).ToDictionary(e => e.Local.Port);
            Assert.Equal(Count, ours.Count);
            // Every connection tcplife printed or admits losing (its perf buffer can overflow on this 2-core box) is one of ours.
            Assert.True(theirs.Count + tcplife.Lost == Count, $"tcplife printed {theirs.Count} of {Count} connections; its stderr: {tcplife.Errors}");
            Assert.True(theirs.Count >= Count * 9 / 10, $"tcplife lost too much to compare: {tcplife.Errors}");
            Assert.Subset(ours.Keys.ToHashSet(), theirs.Keys.ToHashSet()); // matched by local port
            foreach (var (port, line) in theirs)
            {
                ConnectionEvent mine = ours[port];
                Assert.Equal(line.Pid, mine.Process.Pid);
                Assert.Equal(BytesEach, mine.BytesSent);
                // tcplife prints bytes_acked / 1024 with two decimals; bytes_acked also counts the SYN and FIN.
                Assert.InRange(line.TxKb, Math.Round(mine.BytesSent / 1024.0, 2) - 0.01, Math.Round(mine.BytesSent / 1024.0, 2) + 0.01);
                Assert.False(mine.Failed);
            }
            Assert.Equal(lostBefore, source.EventsLost);
            double theirTotal = theirs.Values.Sum(l => l.TxKb);
            double ourTotal = theirs.Keys.Sum(port => ours[port].BytesSent) / 1024.0;
            Assert.InRange(theirTotal, ourTotal * 0.99, ourTotal * 1.01);
            output.WriteLine($"ours: {ours.Count} closed, lost {source.EventsLost - lostBefore}; tcplife: {theirs.Count} printed, {tcplife.Lost} lost; TX KiB tcplife {theirTotal:F2} vs ours {ourTotal:F2}");
        }
        finally
        {
            if (mountedTracefs) BpfAbiTests.Run("umount", TracefsPath);
        }
    }

    private sealed record TcplifeLine(int Pid, int LocalPort, double TxKb);

    private static bool MountTracefsIfNeeded()
    {
        if (File.ReadAllText("/proc/mounts").Contains(" tracefs ", StringComparison.Ordinal)) return false;
        var (exit, output) = BpfAbiTests.Run("mount", $"-t tracefs tracefs {TracefsPath}");
        Assert.True(exit == 0, $"mounting tracefs for tcplife failed: {output}");
        return true;
    }

    /// <summary>tcplife with its output read continuously: a full pipe would block it and make it drop events.</summary>
    private sealed class TcplifeRun : IDisposable
    {
        private readonly Process _process;
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();
        private readonly StringBuilder _errors = new();
        private readonly ManualResetEventSlim _started = new();

        public TcplifeRun(int remotePort)
        {
            // stdbuf: tcplife writes to a pipe, which libc would otherwise buffer until exit.
            var psi = new ProcessStartInfo("stdbuf", ["-oL", Tcplife, "-w", "-D", remotePort.ToString(CultureInfo.InvariantCulture)])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            _process = new Process { StartInfo = psi };
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                if (e.Data.StartsWith("PID", StringComparison.Ordinal)) _started.Set(); // printed once its programs are attached
                else _lines.Enqueue(e.Data);
            };
            _process.ErrorDataReceived += (_, e) => { lock (_errors) _errors.AppendLine(e.Data); };
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            if (!_started.Wait(15_000)) Assert.Fail($"tcplife did not start: {Errors}");
        }

        public string Errors { get { lock (_errors) return _errors.ToString(); } }

        /// <summary>Events tcplife says it lost ("lost N events on CPU #c" on stderr).</summary>
        public long Lost => System.Text.RegularExpressions.Regex.Matches(Errors, @"lost (\d+) events")
            .Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

        public Dictionary<int, TcplifeLine> Collect(int expected, TimeSpan timeout)
        {
            var lines = new Dictionary<int, TcplifeLine>();
            var clock = Stopwatch.StartNew();
            while (lines.Count + Lost < expected && clock.Elapsed < timeout)
            {
                if (!_lines.TryDequeue(out string? text))
                {
                    Thread.Sleep(20);
                    continue;
                }
                TcplifeLine? line = Parse(text);
                if (line is not null) lines[line.LocalPort] = line;
            }
            return lines;
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit(5000);
            _process.Dispose();
            _started.Dispose();
        }
    }

    /// <summary>PID COMM LADDR LPORT RADDR RPORT TX_KB RX_KB MS; COMM may contain spaces, so the fixed columns are read from the right.</summary>
    private static TcplifeLine? Parse(string text)
    {
        string[] f = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 9 || !int.TryParse(f[0], CultureInfo.InvariantCulture, out int pid)) return null;
        return new TcplifeLine(pid, int.Parse(f[^6], CultureInfo.InvariantCulture), double.Parse(f[^3], CultureInfo.InvariantCulture));
    }
}
