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
        using var host = new AcceptingTestHost();
        string log = Path.Combine(_dir, "log.jsonl");
        string config = Path.Combine(_dir, "only-peer.toml");
        File.WriteAllText(config, host.OnlyThisHostAllowlist);

        // --json makes each console line ~1 KB, so the 64 KiB pipe and the 1 MiB queue fill quickly.
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "net-sentinel.dll"), "-c", config, "--source", "ebpf", "--json", "--log-connections", "--no-baseline", "--interval", "1", "--duration", "120", "--log-file", log })
            psi.ArgumentList.Add(a);
        using var monitor = Process.Start(psi)!;
        try
        {
            CliRun.WaitForLine(monitor.StandardError, "watching outbound connections");
            var started = Stopwatch.StartNew();
            host.Connect(Connections);

            // The log keeps up while stdout is stuck: every connection's open and close reach the file.
            host.WaitForCount(log, "connection_closed", Connections);
            Assert.True(Connections == host.Count(log, "connection_opened"), string.Join("\n", File.ReadLines(log).Where(l => !l.Contains("connection_closed")).Take(5)));
            Assert.Equal(Connections, host.Count(log, "connection_closed"));
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(40), $"the log took {started.Elapsed} to catch up");

            var stopping = Stopwatch.StartNew();
            Assert.Equal(0, CliRun.Kill(monitor.Id, 15));
            Assert.True(monitor.WaitForExit(15_000), "monitor did not stop with its stdout stuck");
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {stopping.Elapsed}");
            Assert.Equal(0, monitor.ExitCode);
            string stderr = monitor.StandardError.ReadToEnd();
            Assert.Matches(@"stopped; .*stdout dropped [1-9][0-9]* line\(s\) \(queue full\)", stderr);

            // Detection ran: --no-baseline makes the first connection to the test host a new destination.
            var lines = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Contains(lines, l => AcceptingTestHost.Action(l) == "new_destination" && l.GetProperty("destination").GetProperty("ip").GetString() == host.Peer.ToString());
            // The loss is in the file too, counted for the stdout output.
            var dropped = lines.Where(l => AcceptingTestHost.Action(l) == "output_lines_dropped").ToList();
            Assert.NotEmpty(dropped);
            Assert.All(dropped, d => Assert.Equal("stdout", d.GetProperty("net_sentinel").GetProperty("output").GetString()));
        }
        finally
        {
            if (!monitor.HasExited) monitor.Kill();
        }
    }
}
