using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Cli.Tests;

/// <summary>The real binary with the live eBPF source, and what a user without privilege gets.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class LiveMonitorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ns-live-").FullName;

    [RootFact]
    public void EbpfMonitorLogsEachConnectionWithProcessBytesAndDestination()
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var server = new DrainingServer(listener);
        string log = Path.Combine(_dir, "live.jsonl");

        using var monitor = CliRun.Start(["--source", "ebpf", "--log-connections", "--no-baseline", "--interval", "1", "--duration", "8", "--log-file", log, "-c", CliRun.UnrotatedLogConfig(_dir)]);
        CliRun.WaitForLine(monitor.StandardError, "watching outbound connections");

        // Three short-lived processes, each connecting once and sending a known amount.
        var senders = new List<(int Pid, int Bytes)>();
        foreach (int bytes in new[] { 1000, 250_000, 3_000_000 })
        {
            var bash = Process.Start("/bin/bash", ["-c", $"exec 3<>/dev/tcp/{net.PeerV4}/{port} && head -c {bytes} /dev/zero >&3"]);
            bash.WaitForExit(10_000);
            Assert.Equal(0, bash.ExitCode);
            senders.Add((bash.Id, bytes));
        }

        monitor.WaitForExit(20_000);
        Assert.True(monitor.HasExited, "monitor did not stop by itself after --duration");
        Assert.Equal(0, monitor.ExitCode);

        var lines = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        foreach (var (pid, bytes) in senders)
        {
            bool Mine(JsonElement l) => l.TryGetProperty("process", out var p) && p.GetProperty("pid").GetInt32() == pid;
            var closed = Assert.Single(lines, l => Mine(l) && Action(l) == "connection_closed");
            Assert.Equal("/usr/bin/bash", closed.GetProperty("process").GetProperty("executable").GetString());
            Assert.Equal(net.PeerV4.ToString(), closed.GetProperty("destination").GetProperty("ip").GetString());
            Assert.Equal(port, closed.GetProperty("destination").GetProperty("port").GetInt32());
            Assert.Equal(bytes, closed.GetProperty("source").GetProperty("bytes").GetInt64());
            Assert.Equal("kernel", closed.GetProperty("net_sentinel").GetProperty("attribution").GetString());
            Assert.Single(lines, l => Mine(l) && Action(l) == "connection_opened");
        }
        // --no-baseline: the first bash to reach this host:port is a new destination; the same
        // executable going there again is not (the baseline is per executable, not per pid).
        var alert = Assert.Single(lines, l => Action(l) == "new_destination"
            && l.TryGetProperty("destination", out var destination) && destination.GetProperty("port").GetInt32() == port);
        Assert.Equal(senders[0].Pid, alert.GetProperty("process").GetProperty("pid").GetInt32());
        Assert.Equal(1_000 + 250_000 + 3_000_000, server.BytesReceived);
    }

    [RootFact]
    public void SigtermStopsCleanlyAndDetachesEveryProgram()
    {
        string log = Path.Combine(_dir, "sigterm.jsonl");
        using var monitor = CliRun.Start(["--source", "ebpf", "--duration", "60", "--log-file", log]);
        CliRun.WaitForLine(monitor.StandardError, "watching outbound connections");

        // The programs this process loaded, from its own fds (bpftool here cannot name owners).
        var ids = BpfProgramIdsHeldBy(monitor.Id);
        Assert.True(ids.Count >= 5, $"expected the monitor to hold its programs, found {ids.Count}");

        Assert.Equal(0, CliRun.Kill(monitor.Id, Sigterm));
        Assert.True(monitor.WaitForExit(10_000), "monitor did not exit after SIGTERM");
        Assert.Equal(0, monitor.ExitCode);
        Assert.Contains("stopped;", monitor.StandardError.ReadToEnd());

        // The kernel frees a program after an RCU grace period once its last fd is gone: allow a moment.
        List<int> stillLoaded = [];
        var deadline = DateTime.UtcNow.AddSeconds(3);
        do
        {
            var (code, loaded) = TestNetwork.Run("bpftool", "prog show");
            Assert.Equal(0, code);
            stillLoaded = ids.Where(id => loaded.Split('\n').Any(line => line.StartsWith($"{id}: "))).ToList();
            if (stillLoaded.Count == 0) break;
            Thread.Sleep(100);
        } while (DateTime.UtcNow < deadline);
        Assert.Empty(stillLoaded);
    }

    [RootFact]
    public void SweepOfTwoHundredPortsRaisesScan()
    {
        using var net = new TestNetwork();
        string log = Path.Combine(_dir, "scan.jsonl");
        using var monitor = CliRun.Start(["--source", "ebpf", "--interval", "1", "--duration", "60", "--log-file", log]);
        CliRun.WaitForLine(monitor.StandardError, "watching outbound connections");

        // One bash process, no forks: `: 3<>/dev/tcp/...` connects from the shell itself (refused: nothing listens).
        int pid = RunBash($"for p in $(seq 20000 20199); do : 3<>/dev/tcp/{net.PeerV4}/$p; done 2>/dev/null");
        StopAndWait(monitor);

        var scan = Assert.Single(Openings(Alerts(log, "scan")), a => a.GetProperty("process").GetProperty("pid").GetInt32() == pid);
        Assert.Equal("/usr/bin/bash", scan.GetProperty("process").GetProperty("executable").GetString());
        Assert.Contains("port", scan.GetProperty("message").GetString());

        // One incident, at most three lines (new_destination's opening, scan's opening, scan's totals), all 200 ports counted.
        var lines = AllAlerts(log).Where(a => a.GetProperty("process").GetProperty("pid").GetInt32() == pid).ToList();
        Assert.InRange(lines.Count, 1, 3);
        var closed = Assert.Single(lines, l => Phase(l) == "closed");
        Assert.Equal(200, closed.GetProperty("net_sentinel").GetProperty("value").GetDouble());
    }

    [RootFact]
    public void AnIncidentOfAProcessThatEndedClosesWithItsTotalsWithinSecondsNotAfterTheQuietTime()
    {
        using var net = new TestNetwork();
        string log = Path.Combine(_dir, "ended.jsonl");
        using var monitor = CliRun.Start(["--source", "ebpf", "--no-baseline", "--interval", "1", "--duration", "60", "--log-file", log]);
        CliRun.WaitForLine(monitor.StandardError, "watching outbound connections");

        // One bash process reaching three new ports (refused: nothing listens), then exiting. Its new_destination
        // incident holds more than its opening, so it closes with a line of its totals — once the process is gone,
        // not after the 60 s quiet time (the eBPF source says so: the exit plus the catalog's 1 s grace).
        int pid = RunBash($"for p in 20000 20001 20002; do : 3<>/dev/tcp/{net.PeerV4}/$p; sleep 0.2; done 2>/dev/null");
        var exited = Stopwatch.StartNew();
        JsonElement? closed = null;
        while (closed is null && exited.Elapsed < TimeSpan.FromSeconds(15))
        {
            Thread.Sleep(250);
            closed = WrittenAlerts(log).Where(a => a.GetProperty("process").GetProperty("pid").GetInt32() == pid
                && Action(a) == "new_destination" && Phase(a) == "closed").Cast<JsonElement?>().FirstOrDefault();
        }
        Assert.True(closed is not null, $"no closing line for pid {pid} {exited.Elapsed.TotalSeconds:0.0} s after its exit");
        var incident = closed.Value.GetProperty("net_sentinel").GetProperty("incident");
        Assert.Equal(3, incident.GetProperty("destinations").GetInt32());
        StopAndWait(monitor);
        Assert.Single(AllAlerts(log), a => a.GetProperty("process").GetProperty("pid").GetInt32() == pid && Phase(a) == "closed");
    }

    /// <summary>The alert lines written so far by a running monitor (a line being written is not yet whole: skipped).</summary>
    private static IEnumerable<JsonElement> WrittenAlerts(string log)
    {
        if (!File.Exists(log)) yield break;
        foreach (string line in File.ReadAllLines(log))
        {
            JsonElement parsed;
            try
            {
                parsed = JsonDocument.Parse(line).RootElement;
            }
            catch (JsonException)
            {
                continue;
            }
            if (parsed.GetProperty("event").GetProperty("kind").GetString() == "alert")
            {
                yield return parsed;
            }
        }
    }

    [RootFact]
    public void ConnectingEveryTwoSecondsWithJitterRaisesBeaconWithinTwelveConnections()
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        string log = Path.Combine(_dir, "beacon.jsonl");
        using var monitor = CliRun.Start(["--source", "ebpf", "--interval", "1", "--duration", "90", "--log-file", log]);
        CliRun.WaitForLine(monitor.StandardError, "watching outbound connections");

        // 12 connections, 2 s apart ± 10 % (uniform 1.8..2.2 s); the kernel completes each handshake.
        int pid = RunBash($"for i in $(seq 12); do : 3<>/dev/tcp/{net.PeerV4}/{port}; sleep $(awk -v r=$RANDOM 'BEGIN {{ printf \"%.3f\", 1.8 + 0.4 * r / 32767 }}'); done");
        StopAndWait(monitor);

        var beacon = Assert.Single(Openings(Alerts(log, "beacon")), a => a.GetProperty("destination").GetProperty("port").GetInt32() == port);
        var figures = beacon.GetProperty("net_sentinel");
        Assert.InRange(figures.GetProperty("observations").GetInt32(), 10, 12);
        Assert.InRange(figures.GetProperty("period_seconds").GetDouble(), 1.8, 2.2);
        Assert.Equal(pid, beacon.GetProperty("process").GetProperty("pid").GetInt32());
    }

    [RootFact]
    public void ABeaconRunByANewProcessEachTimeIsOneIncidentCountingItsProcesses()
    {
        // A cron-like beacon: every connection comes from a new process of the same program (bash), so no single pid
        // has a series; the detector keeps it per program and destination, and its incident counts the runs.
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        string config = Path.Combine(_dir, "beacon.toml");
        File.WriteAllText(config, "[beacon]\nmin_connections = 6\n");
        string log = Path.Combine(_dir, "runs.jsonl");
        using var monitor = CliRun.Start(["--config", config, "--source", "ebpf", "--interval", "1", "--duration", "90", "--log-file", log]);
        CliRun.WaitForLine(monitor.StandardError, "watching outbound connections");

        // 10 runs, 1.2 s apart ± 10 %: each a bash of its own that connects once and exits.
        RunBash($"for i in $(seq 10); do /bin/bash -c ': 3<>/dev/tcp/{net.PeerV4}/{port}'; sleep $(awk -v r=$RANDOM 'BEGIN {{ printf \"%.3f\", 1.08 + 0.24 * r / 32767 }}'); done");
        StopAndWait(monitor);

        var lines = Alerts(log, "beacon").Where(a => a.GetProperty("destination").GetProperty("port").GetInt32() == port).ToList();
        var opening = Assert.Single(Openings(lines));
        Assert.Equal("bash", opening.GetProperty("process").GetProperty("name").GetString());
        Assert.InRange(opening.GetProperty("net_sentinel").GetProperty("period_seconds").GetDouble(), 1.08, 1.32);
        var last = lines[^1].GetProperty("net_sentinel").GetProperty("incident");
        Assert.Equal("closed", last.GetProperty("phase").GetString());
        // The series scores from the 6th connection on: runs 6..10 each raise, each a process of its own.
        Assert.InRange(last.GetProperty("processes").GetInt32(), 4, 5);
        Assert.True(lines.Select(l => l.GetProperty("process").GetProperty("pid").GetInt32()).Distinct().Count() >= 2,
            "the incident's lines should name the latest run, not only the first");
        Assert.Equal(lines.Count, lines.Select(l => l.GetProperty("net_sentinel").GetProperty("incident").GetProperty("id").GetString()).Count(id => id == opening.GetProperty("net_sentinel").GetProperty("incident").GetProperty("id").GetString()));
    }

    private static int RunBash(string script)
    {
        using var bash = Process.Start("/bin/bash", ["-c", script]);
        Assert.True(bash.WaitForExit(60_000), "load script did not finish");
        return bash.Id;
    }

    private static void StopAndWait(Process monitor)
    {
        Thread.Sleep(1500); // let the last events drain and one more interval close
        Assert.Equal(0, CliRun.Kill(monitor.Id, Sigterm));
        Assert.True(monitor.WaitForExit(10_000), "monitor did not exit after SIGTERM");
        Assert.Equal(0, monitor.ExitCode);
    }

    private static List<JsonElement> AllAlerts(string log) =>
        File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.GetProperty("event").GetProperty("kind").GetString() == "alert")
            .ToList();

    private static string? Phase(JsonElement alert) =>
        alert.GetProperty("net_sentinel").TryGetProperty("incident", out var incident) ? incident.GetProperty("phase").GetString() : null;

    /// <summary>The first line of each incident: what the detector found (later lines of the incident carry counts).</summary>
    private static IEnumerable<JsonElement> Openings(IEnumerable<JsonElement> alerts) => alerts.Where(a => Phase(a) == "opened");

    private static List<JsonElement> Alerts(string log, string rule) =>
        File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.GetProperty("event").GetProperty("kind").GetString() == "alert" && Action(l) == rule)
            .ToList();

    private static HashSet<int> BpfProgramIdsHeldBy(int pid)
    {
        var ids = new HashSet<int>();
        foreach (string fdinfo in Directory.EnumerateFiles($"/proc/{pid}/fdinfo"))
        {
            try
            {
                foreach (string line in File.ReadLines(fdinfo))
                    if (line.StartsWith("prog_id:", StringComparison.Ordinal)) ids.Add(int.Parse(line["prog_id:".Length..].Trim()));
            }
            catch (IOException) { } // an fd closed while we looked
        }
        return ids;
    }

    private const int Sigterm = 15;


    [RootFact]
    public void EbpfSourceWithoutPrivilegeExitsThreeNamingWhatIsMissing()
    {
        var (code, _, stderr) = CliRun.RunAsNobody("--source", "ebpf", "--duration", "1", "--log-file", Path.Combine(WritableDir(), "x.jsonl"));
        Assert.Equal(3, code);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("root, or CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN", line);
    }

    [RootFact]
    public void AutoWithoutPrivilegeFallsBackToPollingAndSaysWhy()
    {
        var (code, _, stderr) = CliRun.RunAsNobody("--duration", "1", "--interval", "0.5", "--log-file", Path.Combine(WritableDir(), "y.jsonl"));
        Assert.Equal(0, code);
        Assert.Contains("eBPF unavailable: ", stderr);
        Assert.Contains("falling back to polling", stderr);
    }

    private string WritableDir()
    {
        string dir = Path.Combine(_dir, "nobody");
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        return dir;
    }

    private static string Action(JsonElement line) => line.GetProperty("event").GetProperty("action").GetString()!;


    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Accepts connections on the test host and reads them to the end, counting bytes.</summary>
    private sealed class DrainingServer : IDisposable
    {
        private readonly Socket _listener;
        private readonly Thread _thread;
        private long _bytes;

        public DrainingServer(Socket listener)
        {
            _listener = listener;
            _thread = new Thread(Serve) { IsBackground = true };
            _thread.Start();
        }

        public long BytesReceived => Interlocked.Read(ref _bytes);

        private void Serve()
        {
            var buffer = new byte[65536];
            try
            {
                while (true)
                {
                    using var client = _listener.Accept();
                    int n;
                    while ((n = client.Receive(buffer)) > 0) Interlocked.Add(ref _bytes, n);
                }
            }
            catch (SocketException) { } // listener closed by Dispose
            catch (ObjectDisposedException) { }
        }

        public void Dispose()
        {
            _listener.Close();
            _thread.Join(2000);
        }
    }
}
