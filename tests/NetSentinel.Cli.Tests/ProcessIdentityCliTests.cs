using System.Net;
using System.Text.Json;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Cli.Tests;

/// <summary>
/// The real binary, as a user runs it: the eBPF monitor and a later `--once` name one process with one
/// <c>process.entity_id</c>, though they are two processes of their own reading the kernel two different ways.
/// </summary>
public sealed class ProcessIdentityCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ns-identity-").FullName;

    [RootFact]
    public void TheEbpfMonitorAndOnceGiveAHeldConnectionsProcessAndItsParentOneEntityId()
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        string log = Path.Combine(_dir, "ebpf.jsonl");
        using var monitor = CliRun.Start(["--source", "ebpf", "--log-connections", "--no-baseline", "--interval", "1", "--duration", "6", "--log-file", log, "-c", CliRun.UnrotatedLogConfig(_dir)]);
        CliRun.WaitForLine(monitor.StandardError, "watching outbound connections");

        // bash connects, then execs sleep, which keeps the pid, the start time and the socket: one process, two programs.
        using var held = new HeldConnections(net.PeerV4, port, count: 1);
        var (code, stdout, stderr) = CliRun.Run("--once", "--json", "--log-file", Path.Combine(_dir, "once-alerts.jsonl"));
        Assert.True(code is 0 or 1, $"--once exit {code}: {stderr}");
        Assert.True(monitor.WaitForExit(20_000), "the monitor did not stop after --duration");

        // A scan alert names its one host without a port; a socket without an owner (TIME_WAIT) has no process.
        bool Ours(JsonElement line) => line.TryGetProperty("destination", out var d) && d.TryGetProperty("port", out var p) && p.GetInt32() == port
                                       && line.TryGetProperty("process", out var o) && o.GetProperty("pid").GetInt32() == held.Pid;
        JsonElement opened = Assert.Single(Lines(File.ReadAllText(log)), l => Ours(l) && l.GetProperty("event").GetProperty("action").GetString() == "connection_opened");
        JsonElement snapshot = Assert.Single(Lines(stdout), Ours);

        JsonElement kernel = opened.GetProperty("process"), proc = snapshot.GetProperty("process");
        Assert.Equal("bash", kernel.GetProperty("name").GetString());
        Assert.Equal("sleep", proc.GetProperty("name").GetString());
        Assert.Equal(kernel.GetProperty("entity_id").GetString(), proc.GetProperty("entity_id").GetString());
        Assert.Equal(22, proc.GetProperty("entity_id").GetString()!.Length);
        Assert.Equal(Environment.ProcessId, proc.GetProperty("parent").GetProperty("pid").GetInt32());
        Assert.Equal(kernel.GetProperty("parent").GetProperty("entity_id").GetString(), proc.GetProperty("parent").GetProperty("entity_id").GetString());
        // Each dates the start ticks from its own reading of the boot time: the same to within milliseconds.
        Assert.InRange((kernel.GetProperty("start").GetDateTimeOffset() - proc.GetProperty("start").GetDateTimeOffset()).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
        Assert.Equal(["sleep", "60"], proc.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
    }

    private static List<JsonElement> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();


    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
