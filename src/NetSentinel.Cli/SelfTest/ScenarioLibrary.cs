using System.Net;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;

namespace NetSentinel.Cli.SelfTest;

/// <summary>
/// The self-test's programs: seven attacks and seven benign look-alikes, each sized from the configured thresholds
/// (a sweep reaches past the scan threshold, an upload past the exfiltration threshold, a beacon makes enough
/// connections to be scored), so the self-test checks the thresholds a deployment really runs with.
/// </summary>
public static class ScenarioLibrary
{
    /// <summary>Ports the namespace test host serves (<see cref="ScenarioWire"/>).</summary>
    public static readonly int[] TcpPorts = [443, 7443, 7873, 8080, 8443, 9000];
    public static readonly int[] UdpPorts = [123, 9999];

    /// <summary>Hosts of the block a host sweep can reach (four /24s less their .0 and .255 and a few).</summary>
    public const int MaxSweepHosts = 1000;

    /// <summary>The clients of the UDP server scenario, each from its own port.</summary>
    public const int UdpServerClients = 60;

    public static IReadOnlyList<Scenario> For(MonitorConfig config, SelfTestAddresses at, int udpServerPort)
    {
        double period = Math.Max(2, 2 * config.BeaconMinPeriodSeconds); // a UDP flow's session needs >= 1 s of silence
        int beats = config.BeaconMinConnections + 5;
        long rate = config.BytesPerSecThreshold;
        long burst = Math.Max(1_000_000, (long)(3 * rate * config.IntervalSeconds)); // 3x the threshold over one interval
        long slowRate = rate >= 2 ? rate / 2 : 1_000_000;
        long exfiltration = (long)(1.2 * config.ExfiltrationBytesThreshold);
        int ports = Math.Min(65535, Math.Max(200, 2 * config.ScanDistinctPortsThreshold));
        int hosts = Math.Min(MaxSweepHosts, Math.Max(160, (int)Math.Ceiling(1.6 * config.ScanDistinctHostsThreshold)));

        var knownHeartbeat = new IPEndPoint(at.PeerV4, 7443);
        var knownNtp = new IPEndPoint(at.PeerV4, 123);
        var knownBackup = new IPEndPoint(at.PeerV4, 7873);
        return
        [
            new("port-sweep", $"TCP connects to {ports} ports of one host", ScanDetector.RuleName, null,
                Plan(ScenarioAction.Sweep, [.. Enumerable.Range(1, ports).Select(p => new IPEndPoint(at.PeerV4, p))]), [], Sweep: true),
            new("host-sweep", $"TCP connects to port 22 of {hosts} hosts", ScanDetector.RuleName, null,
                Plan(ScenarioAction.Sweep, [.. Enumerable.Range(0, hosts).Select(i => new IPEndPoint(at.InBlock(i / 250, 1 + (i % 250)), 22))]), [], Sweep: true),
            new("tcp-beacon", $"a TCP call home every {period:0.#} s ± 10 %", BeaconDetector.RuleName, null,
                Plan(ScenarioAction.Fetch, [new(at.InBlock(2, 10), 8443)]) with { Count = beats, PeriodSeconds = period, Jitter = 0.1, UploadBytes = 200, DownloadBytes = 600 }, []),
            new("udp-beacon", $"a UDP datagram home every {period:0.#} s ± 10 %", BeaconDetector.RuleName, null,
                Plan(ScenarioAction.Udp, [new(at.InBlock(2, 11), 9999)]) with { Count = beats, PeriodSeconds = period, Jitter = 0.1, UploadBytes = 60, Seed = 15 }, []),
            new("slow-exfil", $"{Mb(exfiltration)} uploaded at {Mb(slowRate)}/s, under the send-rate threshold", ExfiltrationDetector.RuleName, null,
                Plan(ScenarioAction.Fetch, [new(at.InBlock(2, 12), 9000)]) with { UploadBytes = exfiltration, RateBytesPerSecond = slowRate }, []),
            new("burst-upload", $"{Mb(burst)} uploaded at once to a new host", HighSendRateDetector.RuleName, null,
                Plan(ScenarioAction.Fetch, [new(at.InBlock(2, 13), 9000)]) with { UploadBytes = burst }, []),
            new("dropper", "a short-lived download from a block-listed host", BlocklistDetector.RuleName, null,
                Plan(ScenarioAction.Fetch, [DropSite(at)]) with { DownloadBytes = 65536 }, []),
            new("heartbeat", $"a monitoring agent posting every {period:0.#} s ± 10 % to its usual server", null, "tcp-beacon",
                Plan(ScenarioAction.Fetch, [knownHeartbeat]) with { Count = beats, PeriodSeconds = period, Jitter = 0.1, UploadBytes = 200, DownloadBytes = 600, Seed = 16 },
                [(knownHeartbeat, Transport.Tcp)]),
            new("ntp-like", $"an NTP-sized UDP poll every {period:0.#} s ± 10 % to its usual server", null, "udp-beacon",
                Plan(ScenarioAction.Udp, [knownNtp]) with { Count = beats, PeriodSeconds = period, Jitter = 0.1, UploadBytes = 48, Seed = 17 },
                [(knownNtp, Transport.Udp)]),
            new("udp-server", $"a UDP server here answering {UdpServerClients} clients of the test host", null, "udp-beacon",
                Plan(ScenarioAction.UdpServe, [new(at.HostV4, udpServerPort)]) with { Count = UdpServerClients }, []),
            new("cdn-fan-in", "a page fetched from 40 CDN hosts at once", null, "host-sweep",
                Plan(ScenarioAction.Fetch, [.. Enumerable.Range(10, 40).Select(h => new IPEndPoint(at.InBlock(1, h), 443))]) with
                { Count = 40, PeriodSeconds = 0.05, UploadBytes = 300, DownloadBytes = 200_000 }, []),
            new("large-download", $"{Mb(burst)} downloaded over IPv6", null, "slow-exfil",
                Plan(ScenarioAction.Fetch, [new(at.PeerV6, 443)]) with { UploadBytes = 300, DownloadBytes = burst }, []),
            new("backup", $"{Mb(burst)} uploaded at once to its usual backup server", null, "burst-upload",
                Plan(ScenarioAction.Fetch, [knownBackup]) with { UploadBytes = burst }, [(knownBackup, Transport.Tcp)]),
            new("api-client", $"API calls at random times (mean {period:0.#} s)", null, "tcp-beacon",
                Plan(ScenarioAction.Fetch, [new(at.InBlock(1, 200), 443)]) with { Count = beats, PeriodSeconds = period, RandomGaps = true, UploadBytes = 300, DownloadBytes = 2000, Seed = ApiClientSeed }, []),
        ];
    }

    /// <summary>The random API client's seed: its gaps score well below a beacon (checked by a unit test).</summary>
    public const int ApiClientSeed = 14;

    /// <summary>The one address on the self-test's block list.</summary>
    public static IPEndPoint DropSite(SelfTestAddresses at) => new(at.InBlock(3, 66), 8080);

    private static ScenarioPlan Plan(ScenarioAction action, IReadOnlyList<IPEndPoint> targets) => new() { Action = action, Targets = targets };

    private static string Mb(long bytes) => HumanFormat.Bytes(bytes);
}
