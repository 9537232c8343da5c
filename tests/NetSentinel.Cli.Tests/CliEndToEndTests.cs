using System.Net;
using System.Text.Json;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Cli.Tests;

/// <summary>The real binary against real sockets held by a real process, to a namespace test host.</summary>
public sealed class CliEndToEndTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ns-e2e-").FullName;

    [RootFact]
    public void OnceJsonListsTheConnectionWithItsProcessAndDestination()
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var holder = new HeldConnections(net.PeerV4, port, 1);
        string log = Path.Combine(_dir, "once.jsonl");

        var (code, stdout, stderr) = CliRun.Run("--once", "--json", "--log-file", log);

        Assert.True(code is 0 or 1, $"exit {code}: {stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        // Alerts about other processes may be on stdout too, some with no single destination (a host sweep, an incident's totals).
        var row = Assert.Single(lines, l => l.TryGetProperty("destination", out var destination)
                                          && destination.GetProperty("ip").GetString() == net.PeerV4.ToString()
                                          && destination.GetProperty("port").GetInt32() == port);
        Assert.Equal(holder.Pid, row.GetProperty("process").GetProperty("pid").GetInt32());
        Assert.Equal("/usr/bin/sleep", row.GetProperty("process").GetProperty("executable").GetString());
        Assert.Equal(net.HostV4.ToString(), row.GetProperty("source").GetProperty("ip").GetString());
        Assert.Equal("tcp", row.GetProperty("network").GetProperty("transport").GetString());
    }

    [RootFact]
    public void PollingMonitorRaisesManyConnectionsForAProcessHoldingFifty()
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4, backlog: 128);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var holder = new HeldConnections(net.PeerV4, port, 50);
        string log = Path.Combine(_dir, "poll.jsonl");

        // Two intervals of 1 s, then stop by itself.
        var (code, _, stderr) = CliRun.Run("--source", "poll", "--interval", "1", "--duration", "2.5", "--log-file", log);

        Assert.True(code == 0, $"exit {code}: {stderr}");
        var alerts = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.GetProperty("event").GetProperty("kind").GetString() == "alert"
                     && l.GetProperty("rule").GetProperty("name").GetString() == "many_connections"
                     && l.GetProperty("net_sentinel").GetProperty("incident").GetProperty("phase").GetString() == "opened")
            .ToList();
        var alert = Assert.Single(alerts, a => a.GetProperty("process").GetProperty("pid").GetInt32() == holder.Pid);
        Assert.Equal(50, alert.GetProperty("net_sentinel").GetProperty("value").GetDouble());
        Assert.Equal(50, alert.GetProperty("net_sentinel").GetProperty("threshold").GetDouble());
        Assert.Equal("/usr/bin/sleep", alert.GetProperty("process").GetProperty("executable").GetString());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
