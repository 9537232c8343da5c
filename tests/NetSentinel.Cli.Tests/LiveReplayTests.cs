using System.Diagnostics;
using System.Net;
using System.Text.Json;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Cli.Tests;

/// <summary>Issue 11, case 5, as reported: replay of a log the real binary wrote from the eBPF source.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LiveReplayTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ns-livereplay-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [RootFact]
    public void ReplayReadsEveryLineTheEbpfMonitorWrote()
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        string log = Path.Combine(_dir, "live.jsonl");

        using (var monitor = CliRun.Start(["--source", "ebpf", "--log-connections", "--no-baseline", "--interval", "1", "--duration", "6", "--log-file", log, "-c", CliRun.UnrotatedLogConfig(_dir)]))
        {
            CliRun.WaitForLine(monitor.StandardError, "watching outbound connections");
            // TCP opens and closes (refused ones too: nothing listens on port+1) and UDP flows, IPv4 and IPv6.
            string script = $"for i in 1 2 3; do : 3<>/dev/tcp/{net.PeerV4}/{port}; : 3<>/dev/tcp/{net.PeerV4}/{port + 1}; " +
                            $"echo x >/dev/udp/{net.PeerV4}/{port}; echo x >/dev/udp/{net.PeerV6}/{port}; done 2>/dev/null; true";
            using (var bash = Process.Start("/bin/bash", ["-c", script]))
            {
                Assert.True(bash.WaitForExit(20_000));
            }
            Assert.True(monitor.WaitForExit(30_000), "monitor did not stop after --duration");
            Assert.Equal(0, monitor.ExitCode);
        }

        var actions = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.GetProperty("event").GetProperty("kind").GetString() == "event")
            .Select(l => l.GetProperty("event").GetProperty("action").GetString())
            .Where(a => a is "connection_opened" or "udp_flow" or "udp_session" or "connection_closed" or "connection_failed").ToList();
        // Other tests and benchmarks share the machine, so which actions appear is not ours to assert; that the
        // eBPF source logged connections (without source.port on opens, as it does) and every one replays, is.
        Assert.Contains("connection_opened", actions);

        var (code, _, stderr) = CliRun.Run("replay", "--strict", log);

        Assert.True(code is 0 or 1, stderr);
        Assert.DoesNotContain("skipped", stderr);
        // DNS lines of other processes sharing the machine may be there too, and are replayed with them.
        Assert.Matches($@"^net-sentinel: replayed {actions.Count} connection event\(s\)( and \d+ DNS message\(s\))? from {System.Text.RegularExpressions.Regex.Escape(log)}; ", stderr);
    }
}
