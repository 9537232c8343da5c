using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Cli.Tests;

/// <summary>
/// Issue 11 item 8: a console nobody reads (`| sleep 16`, a stuck journald) must never stall detection
/// or the log. The real binary with the live eBPF source, its stdout a pipe this test never reads.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class OutputBackPressureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ns-backpressure-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [RootFact]
    public void AStdoutReaderThatStopsLosesOnlyConsoleLinesCounted()
    {
        const int Connections = 1000; // ~2 MB of --json console lines: more than the pipe and the 1 MiB queue hold
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var acceptor = new Thread(() =>
        {
            try { while (true) listener.Accept().Dispose(); }
            catch (SocketException) { }
            catch (ObjectDisposedException) { }
        }) { IsBackground = true };
        acceptor.Start();
        string log = Path.Combine(_dir, "log.jsonl");

        // --json makes each console line ~1 KB, so the 64 KiB pipe and the 1 MiB queue fill quickly.
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "net-sentinel.dll"), "--source", "ebpf", "--json", "--log-connections", "--no-baseline", "--interval", "1", "--duration", "120", "--log-file", log })
            psi.ArgumentList.Add(a);
        using var monitor = Process.Start(psi)!;
        try
        {
            WaitForLine(monitor.StandardError, "watching outbound connections");
            var started = Stopwatch.StartNew();
            for (int i = 0; i < Connections; i++)
            {
                using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                client.Connect(net.PeerV4, port);
            }

            // The log keeps up while stdout is stuck: every connection's open and close reach the file.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (CountMine(log, net.PeerV4, port, "connection_closed") < Connections && DateTime.UtcNow < deadline) Thread.Sleep(200);
            Assert.True(Connections == CountMine(log, net.PeerV4, port, "connection_opened"), string.Join("\n", File.ReadLines(log).Where(l => !l.Contains("connection_closed")).Take(5)));
            Assert.Equal(Connections, CountMine(log, net.PeerV4, port, "connection_closed"));
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(40), $"the log took {started.Elapsed} to catch up");

            var stopping = Stopwatch.StartNew();
            Assert.Equal(0, Kill(monitor.Id, 15));
            Assert.True(monitor.WaitForExit(15_000), "monitor did not stop with its stdout stuck");
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {stopping.Elapsed}");
            Assert.Equal(0, monitor.ExitCode);
            string stderr = monitor.StandardError.ReadToEnd();
            Assert.Matches(@"stopped; .*stdout dropped [1-9][0-9]* line\(s\) \(queue full\)", stderr);

            // Detection ran: --no-baseline makes the first connection to the test host a new destination.
            var lines = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Contains(lines, l => Action(l) == "new_destination" && l.GetProperty("destination").GetProperty("ip").GetString() == net.PeerV4.ToString());
            // The loss is in the file too, counted for the stdout output.
            var dropped = lines.Where(l => Action(l) == "output_lines_dropped").ToList();
            Assert.NotEmpty(dropped);
            Assert.All(dropped, d => Assert.Equal("stdout", d.GetProperty("net_sentinel").GetProperty("output").GetString()));
        }
        finally
        {
            if (!monitor.HasExited) monitor.Kill();
            listener.Dispose();
        }
    }

    private static int CountMine(string log, IPAddress peer, int port, string action)
    {
        if (!File.Exists(log)) return 0;
        int count = 0;
        foreach (string line in File.ReadLines(log))
        {
            var root = JsonDocument.Parse(line).RootElement;
            if (Action(root) == action && root.TryGetProperty("destination", out var d)
                && d.GetProperty("ip").GetString() == peer.ToString() && d.GetProperty("port").GetInt32() == port)
                count++;
        }
        return count;
    }

    private static string Action(JsonElement line) => line.GetProperty("event").GetProperty("action").GetString()!;

    private static void WaitForLine(StreamReader reader, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            string? line = reader.ReadLine();
            if (line is null) throw new InvalidOperationException("monitor exited before: " + text);
            if (line.Contains(text, StringComparison.Ordinal)) return;
        }
        throw new TimeoutException(text);
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
