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
        })
        { IsBackground = true };
        acceptor.Start();
        string log = Path.Combine(_dir, "log.jsonl");
        // Other tests and benchmarks make connect storms on this machine at the same time: the monitor
        // ignores every destination but this test's host, so what it logs is ours alone.
        string config = Path.Combine(_dir, "only-peer.toml");
        File.WriteAllText(config, $"[allowlist]\ndestinations = [{string.Join(", ", EverythingBut(net.PeerV4).Select(p => $"\"{p}\""))}]\n");

        // --json makes each console line ~1 KB, so the 64 KiB pipe and the 1 MiB queue fill quickly.
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "net-sentinel.dll"), "-c", config, "--source", "ebpf", "--json", "--log-connections", "--no-baseline", "--interval", "1", "--duration", "120", "--log-file", log })
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

    /// <summary>CIDR blocks covering every address except <paramref name="kept"/> (IPv4), plus all of IPv6.</summary>
    public static IEnumerable<string> EverythingBut(IPAddress kept)
    {
        uint address = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(kept.GetAddressBytes());
        for (int bits = 1; bits <= 32; bits++)
        {
            // The block that shares the first bits-1 bits with the kept address and differs in bit number bits.
            uint flipped = address ^ (1u << (32 - bits));
            uint network = bits == 32 ? flipped : flipped & ~(uint.MaxValue >> bits);
            var bytes = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, network);
            yield return $"{new IPAddress(bytes)}/{bits}";
        }
        yield return "::/0";
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
