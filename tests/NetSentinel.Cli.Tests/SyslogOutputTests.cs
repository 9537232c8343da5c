using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Cli.Tests;

/// <summary>
/// Issue 16: the real binary with the live eBPF source and <c>[syslog] target</c> set, connections to a
/// namespace test host. A receiver this test owns gets every line the file gets, byte for byte after
/// the RFC 5424 header; a receiver that never reads costs only syslog lines, counted, with the file
/// and detection untouched.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class SyslogOutputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ns-syslog-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [RootFact]
    public void AUdpReceiverGetsWhatTheFileGets()
    {
        const int Connections = 200;
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.ReceiveBufferSize = 8 << 20;
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var messages = new List<string>();
        var receiving = new Thread(() =>
        {
            var buffer = new byte[70_000];
            try
            {
                while (true)
                {
                    int n = receiver.Receive(buffer);
                    lock (messages) messages.Add(Encoding.UTF8.GetString(buffer, 0, n));
                }
            }
            catch (SocketException) { }
            catch (ObjectDisposedException) { }
        })
        { IsBackground = true };
        receiving.Start();

        var (log, stderr) = RunAgainstTestHost(Connections, $"udp:127.0.0.1:{((IPEndPoint)receiver.LocalEndPoint!).Port}", out var peer, out int port);
        Thread.Sleep(200);
        receiver.Dispose();

        Assert.DoesNotContain("syslog dropped", stderr, StringComparison.Ordinal);
        string[] fileLines = File.ReadAllLines(log);
        Assert.Equal(Connections, fileLines.Count(l => IsMine(l, peer, port, "connection_opened")));
        List<string> syslogJson;
        lock (messages)
        {
            syslogJson = messages.Select(m =>
            {
                // <PRI>1 TIMESTAMP HOST net-sentinel PID MSGID - JSON: daemon facility (3), so PRI is 24 + severity (2 critical .. 6 info).
                Assert.Matches(@"^<(2[6-9]|30)>1 \S+ \S+ net-sentinel [0-9]+ (alert|connection|notice) - \{", m);
                return m[(m.IndexOf(" - {", StringComparison.Ordinal) + 3)..];
            }).ToList();
        }
        // The same lines, formatted once: every file line is in syslog, every syslog message is in the file.
        Assert.Equal(fileLines.Order(StringComparer.Ordinal), syslogJson.Order(StringComparer.Ordinal));
    }

    [RootFact]
    public void ATcpReceiverThatNeverReadsLosesOnlySyslogLinesCounted()
    {
        const int Connections = 1000; // ~1.3 MB of lines: more than the socket buffers and the 1 MiB queue
        using var stuck = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        stuck.ReceiveBufferSize = 4096;
        stuck.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        stuck.Listen(1); // accepted by the kernel, never read

        var stopped = Stopwatch.StartNew();
        var (log, stderr) = RunAgainstTestHost(Connections, $"tcp:127.0.0.1:{((IPEndPoint)stuck.LocalEndPoint!).Port}", out var peer, out int port);
        Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(60), $"the run took {stopped.Elapsed}");

        Assert.Matches(@"stopped; .*syslog dropped [0-9]+ line\(s\) \(queue full\), [0-9]+ \(write failed\)", stderr);
        var lines = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        int opened = lines.Count(l => IsMine(l, peer, port, "connection_opened"));
        int closed = lines.Count(l => IsMine(l, peer, port, "connection_closed"));
        // Once (CI, 2026-12-01, a quiet machine) the file held 956 of the 1,000 opened lines and the run waited the full 30 s
        // for the closes; it did not recur in later runs. What the monitor said and which outputs dropped what say why, next time.
        string why = $"took {stopped.Elapsed}; opened {opened}, closed {closed}; {WhatElseTheLogSays(lines)}; the monitor's stderr: {stderr}";
        Assert.True(Connections == opened, why);
        Assert.True(Connections == closed, why);
        Assert.Contains(lines, l => Action(l) == "new_destination" && l.GetProperty("destination").GetProperty("ip").GetString() == peer.ToString());
        var dropped = lines.Where(l => Action(l) == "output_lines_dropped").ToList();
        Assert.NotEmpty(dropped);
        Assert.All(dropped, d => Assert.Equal("syslog", d.GetProperty("net_sentinel").GetProperty("output").GetString()));
    }

    /// <summary>Runs the monitor with syslog to <paramref name="target"/>, makes the connections, stops it with SIGTERM.</summary>
    private (string Log, string Stderr) RunAgainstTestHost(int connections, string target, out IPAddress peer, out int port)
    {
        using var host = new AcceptingTestHost();
        peer = host.Peer;
        port = host.Port;
        string log = Path.Combine(_dir, "log.jsonl");
        string config = Path.Combine(_dir, "syslog.toml");
        // Only this test's host is watched: other engineers' storms on this machine stay out of both outputs.
        File.WriteAllText(config, host.OnlyThisHostAllowlist +
                                  $"[syslog]\ntarget = \"{target}\"\n");
        var monitor = CliRun.Start(["-c", config, "--source", "ebpf", "--log-connections", "--no-baseline", "--interval", "1", "--duration", "120", "--log-file", log]);
        try
        {
            CliRun.WaitForLine(monitor.StandardError, "watching outbound connections");
            host.Connect(connections);
            host.WaitForCount(log, "connection_closed", connections);
            Assert.Equal(0, CliRun.Kill(monitor.Id, 15));
            Assert.True(monitor.WaitForExit(15_000), "the monitor did not stop");
            Assert.Equal(0, monitor.ExitCode);
            return (log, monitor.StandardError.ReadToEnd());
        }
        finally
        {
            if (!monitor.HasExited) monitor.Kill();
            monitor.Dispose();
        }
    }

    /// <summary>The log's other lines by action, the lines each output dropped and the events the source lost.</summary>
    private static string WhatElseTheLogSays(List<JsonElement> lines)
    {
        static long Sum(IEnumerable<JsonElement> records, string field) => records.Sum(l => l.GetProperty("net_sentinel").GetProperty(field).GetInt64());
        var others = lines.GroupBy(Action).Where(g => g.Key is not ("connection_opened" or "connection_closed")).Select(g => $"{g.Key} {g.Count()}");
        var droppedBy = lines.Where(l => Action(l) == "output_lines_dropped")
            .GroupBy(l => l.GetProperty("net_sentinel").GetProperty("output").GetString())
            .Select(g => $"{g.Key} {Sum(g, "lines_dropped")}");
        return $"other lines: {string.Join(", ", others)}; dropped by output: {string.Join(", ", droppedBy)}; "
               + $"events lost: {Sum(lines.Where(l => Action(l) == "events_lost"), "lost")}";
    }

    private static bool IsMine(string line, IPAddress peer, int port, string action) => IsMine(JsonDocument.Parse(line).RootElement, peer, port, action);

    private static bool IsMine(JsonElement root, IPAddress peer, int port, string action) => AcceptingTestHost.IsAbout(root, action, peer, port);

    private static string Action(JsonElement line) => AcceptingTestHost.Action(line);
}
