using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using NetSentinel.Core.Dns;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Cli.Tests;

/// <summary>
/// Names on connections and alerts from DNS the kernel captured, against a real dnsmasq on a namespace test host:
/// a process's own query, glibc's resolver, a local stub on 127.0.0.53, the domain block list, a beacon whose
/// address rotates behind one name, and hostile answers.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class LiveDnsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ns-dns-").FullName;

    [RootFact]
    public void OwnQueryThenConnectCarriesTheNameOnTheConnectionAndTheNewDestinationAlert()
    {
        using var host = new DnsTestHost(_dir);
        host.SetNames(("app.web.test", host.ServiceAddress(1)));
        string log = Path.Combine(_dir, "own.jsonl");
        using var monitor = StartMonitor(log, ["--no-baseline"]);

        IPAddress address = Resolve(host.Network.PeerV4, "app.web.test");
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            client.Connect(address, host.Port);
        WaitForLog(log, l => Pid(l) == Environment.ProcessId && Action(l) == "new_destination" && Domain(l) is not null);
        StopAndWait(monitor);

        var lines = Lines(log).Where(l => Pid(l) == Environment.ProcessId).ToList();
        var opened = Assert.Single(lines, l => Action(l) == "connection_opened" && DestinationIp(l) == address.ToString());
        Assert.Equal("app.web.test", Domain(opened));
        Assert.Equal("web.test", opened.GetProperty("destination").GetProperty("registered_domain").GetString());
        // The process's first new destination opens its new_destination incident (with the name on the line); a later
        // one (here the connect may follow the resolver's own UDP flow) is listed, with its name, in the incident's next line.
        var named = lines.Where(l => Action(l) == "new_destination").SelectMany(l =>
            DestinationIp(l) == address.ToString() ? [$"{address}:{host.Port}/tcp ({Domain(l)})"]
            : l.GetProperty("net_sentinel").TryGetProperty("targets", out var targets) ? targets.EnumerateArray().Select(t => t.GetString()!) : []);
        Assert.Contains($"{address}:{host.Port}/tcp (app.web.test)", named);
        var answer = Assert.Single(lines, l => Action(l) == "dns_answer");
        Assert.Equal(address.ToString(), answer.GetProperty("dns").GetProperty("resolved_ip")[0].GetString());
        Assert.Single(lines, l => Action(l) == "dns_query");
    }

    [RootFact]
    public void GlibcGetaddrinfoThroughResolvConfIsNamed()
    {
        using var host = new DnsTestHost(_dir);
        host.SetNames(("libc.web.test", host.ServiceAddress(2)));
        string resolv = host.ResolvConf(host.Network.PeerV4.ToString());
        string log = Path.Combine(_dir, "glibc.jsonl");
        using var monitor = StartMonitor(log, ["--no-baseline"]);

        // bash's /dev/tcp resolves with getaddrinfo; the private mount namespace gives it our resolv.conf.
        int pid = RunBash($"unshare -m bash -c 'mount --bind {resolv} /etc/resolv.conf && exec 3<>/dev/tcp/libc.web.test/{host.Port}'");
        WaitForLog(log, l => Pid(l) == pid && Action(l) == "connection_opened");
        StopAndWait(monitor);

        var lines = Lines(log).Where(l => Pid(l) == pid).ToList();
        var opened = Assert.Single(lines, l => Action(l) == "connection_opened" && DestinationIp(l) == host.ServiceAddress(2).ToString());
        Assert.Equal("libc.web.test", Domain(opened));
        Assert.Contains(lines, l => Action(l) == "dns_answer" && QuestionName(l) == "libc.web.test");
    }

    [RootFact]
    public void ThroughALocalStubTheAnswerBelongsToTheAskerAndTheUpstreamExchangeToTheStub()
    {
        using var host = new DnsTestHost(_dir);
        host.SetNames(("stub.web.test", host.ServiceAddress(3)));
        int stub = host.StartStub();
        string resolv = host.ResolvConf("127.0.0.53");
        string log = Path.Combine(_dir, "stub.jsonl");
        using var monitor = StartMonitor(log, ["--no-baseline"]);

        // The asker runs on the test host, where the stub listens on 127.0.0.53.
        int pid = RunBash($"ip netns exec {host.Network.Namespace} unshare -m bash -c " +
                          $"'mount --bind {resolv} /etc/resolv.conf && exec 3<>/dev/tcp/stub.web.test/{host.Port}'");
        WaitForLog(log, l => Pid(l) == pid && Action(l) == "connection_opened");
        StopAndWait(monitor);

        var lines = Lines(log);
        bool AnswerForA(JsonElement l) => Action(l) == "dns_answer" && QuestionName(l) == "stub.web.test" &&
            l.GetProperty("dns").GetProperty("question").GetProperty("type").GetString() == "A";
        var asked = Assert.Single(lines, l => AnswerForA(l) && Pid(l) == pid);
        Assert.Equal("127.0.0.53", DestinationIp(asked));
        var forwarded = Assert.Single(lines, l => AnswerForA(l) && Pid(l) == stub);
        Assert.Equal(host.Network.PeerV4.ToString(), DestinationIp(forwarded));
        var opened = Assert.Single(lines, l => Action(l) == "connection_opened" && Pid(l) == pid);
        Assert.Equal("stub.web.test", Domain(opened));
    }

    [RootFact]
    public void ABlocklistedNameAlertsAtQueryAndAtConnect()
    {
        using var host = new DnsTestHost(_dir);
        host.SetNames(("c2.bad.test", host.ServiceAddress(4)));
        string blocklist = Path.Combine(_dir, "domains.txt");
        File.WriteAllLines(blocklist, ["# names we never want to see", "*.bad.test"]);
        string config = Path.Combine(_dir, "dns.toml");
        File.WriteAllText(config, $"[dns]\nblocklist_file = \"{blocklist}\"\n");
        string log = Path.Combine(_dir, "blocked.jsonl");
        using var monitor = StartMonitor(log, [], File.ReadAllText(config));

        IPAddress address = Resolve(host.Network.PeerV4, "c2.bad.test");
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            client.Connect(address, host.Port);
        WaitForLog(log, l => Pid(l) == Environment.ProcessId && Action(l) == "blocklisted_destination" && Domain(l) is not null);
        StopAndWait(monitor);

        var alerts = Lines(log).Where(l => Pid(l) == Environment.ProcessId && Action(l) == "blocklisted_destination").ToList();
        Assert.Equal(2, alerts.Count);
        Assert.Contains(alerts, a => QuestionName(a) == "c2.bad.test");
        Assert.Contains(alerts, a => Domain(a) == "c2.bad.test" && DestinationIp(a) == address.ToString());
        Assert.All(alerts, a => Assert.Contains("*.bad.test", a.GetProperty("message").GetString()));

        // The log replays to the same two alerts: the query from its dns_query line, the connect from the connection's name.
        var replayed = Replay(log, "-c", config).Where(l => Pid(l) == Environment.ProcessId && Action(l) == "blocklisted_destination").ToList();
        Assert.Equal(
            alerts.Select(a => (QuestionName(a), Domain(a), DestinationIp(a))).Order(),
            replayed.Select(a => (QuestionName(a), Domain(a), DestinationIp(a))).Order());
    }

    [RootFact]
    public void ABeaconWhoseAddressRotatesBehindOneNameIsOneSeriesAndFires()
    {
        using var host = new DnsTestHost(_dir);
        string resolv = host.ResolvConf(host.Network.PeerV4.ToString());
        string log = Path.Combine(_dir, "beacon.jsonl");
        using var monitor = StartMonitor(log, []);

        // 12 connections ~1.3 s apart (± 6 %); a new address every 3. The script rewrites the server's hosts file and
        // signals it to reload right after a connection, so the rotation is in step and does not stretch a gap.
        string rotate = $"echo \"{host.ServicePrefix}.$(( i / 3 + 2 )) beacon.web.test\" > {host.HostsFile}; kill -HUP {host.ServerPid}";
        string script =
            $"echo \"{host.ServicePrefix}.1 beacon.web.test\" > {host.HostsFile}; kill -HUP {host.ServerPid}; sleep 0.3; " +
            $"for i in $(seq 0 11); do exec 3<>/dev/tcp/beacon.web.test/{host.Port}; exec 3>&-; " +
            $"if (( i % 3 == 2 )); then {rotate}; fi; " +
            "sleep $(awk -v r=$RANDOM 'BEGIN { printf \"%.3f\", 1.22 + 0.16 * r / 32767 }'); done";
        int pid = RunBash($"unshare -m bash -c 'mount --bind {resolv} /etc/resolv.conf && {script.Replace("'", "'\\''", StringComparison.Ordinal)}'");
        // Wait for the TCP beacon itself: the resolver's queries to :53 can fire a UDP beacon first.
        WaitForLog(log, l => Pid(l) == pid && Action(l) == "beacon"
            && l.GetProperty("network").GetProperty("transport").GetString() == "tcp");
        StopAndWait(monitor);

        var lines = Lines(log).Where(l => Pid(l) == pid).ToList();
        var beacon = Assert.Single(lines, l => Action(l) == "beacon"
            && l.GetProperty("net_sentinel").GetProperty("incident").GetProperty("phase").GetString() == "opened"
            && l.GetProperty("network").GetProperty("transport").GetString() == "tcp"); // its resolver's queries to :53 are a UDP beacon of their own
        Assert.Equal("beacon.web.test", Domain(beacon));
        Assert.InRange(beacon.GetProperty("net_sentinel").GetProperty("observations").GetInt32(), 10, 12);
        var addresses = Lines(log).Where(l => Pid(l) == pid && Action(l) == "dns_answer")
            .SelectMany(l => l.GetProperty("dns").GetProperty("resolved_ip").EnumerateArray().Select(a => a.GetString())).Distinct().ToList();
        Assert.True(addresses.Count >= 4, $"the name should have rotated over 4 addresses, saw {string.Join(", ", addresses)}");

        // Replayed (with the live run's interval, which sets how long the baseline learned), the rotating beacon is
        // again one series, keyed by the name the connection lines carry.
        string config = Path.Combine(_dir, "interval.toml");
        File.WriteAllText(config, "[general]\ninterval_seconds = 1\n");
        var replayed = Assert.Single(Replay(log, "-c", config), l => Pid(l) == pid && Action(l) == "beacon"
            && l.GetProperty("net_sentinel").GetProperty("incident").GetProperty("phase").GetString() == "opened"
            && l.GetProperty("network").GetProperty("transport").GetString() == "tcp");
        Assert.Equal("beacon.web.test", Domain(replayed));
        // The log keeps milliseconds, so the score may cross its threshold one connection apart from the live run.
        Assert.InRange(replayed.GetProperty("net_sentinel").GetProperty("observations").GetInt32(), 10, 12);
    }

    [RootFact]
    public void HostileAnswersAreCountedAsMalformedAndNothingElseHappens()
    {
        using var net = new TestNetwork();
        using var server = net.BindUdp(net.PeerV4, 53);
        string log = Path.Combine(_dir, "hostile.jsonl");
        using var monitor = StartMonitor(log, ["--no-baseline"]);

        var loop = new DnsPacketBuilder().Header(7, response: true, answers: 1).Question("loop.test");
        loop.Pointer(loop.Length).U16(1).U16(1).U32(5).U16(4).Raw(198, 51, 100, 9);
        byte[] truncated = DnsPacketBuilder.Response("cut.test", id: 8, addresses: [IPAddress.Parse("198.51.100.10")])[..^3];
        foreach (var (name, reply) in new[] { ("loop.test", loop.ToArray()), ("cut.test", truncated) })
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            client.SendTo(DnsPacketBuilder.Query(name), new IPEndPoint(net.PeerV4, 53));
            var buffer = new byte[512];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            int n = server.ReceiveFrom(buffer, ref from);
            Assert.True(n > 12);
            server.SendTo(reply, from);
            client.ReceiveTimeout = 2_000;
            client.Receive(buffer);
        }
        WaitForLog(log, l => Pid(l) == Environment.ProcessId && Action(l) == "dns_query" && QuestionName(l) == "cut.test");
        string stderr = StopAndWait(monitor);

        var mine = Lines(log).Where(l => Pid(l) == Environment.ProcessId).ToList();
        // The queries are logged; the answers are not, and no name was learned (this process is also the fake server,
        // so its own UDP flows are there too, unnamed).
        Assert.Equal(2, mine.Count(l => Action(l) == "dns_query"));
        Assert.DoesNotContain(mine, l => Action(l) == "dns_answer");
        Assert.DoesNotContain(mine, l => Domain(l) is not null);
        var counts = MalformedCount().Match(stderr);
        Assert.True(counts.Success, stderr);
        Assert.True(int.Parse(counts.Groups[1].Value) >= 2, stderr);
    }

    [RootFact]
    public void ATcpAnswerSentInSeveralSegmentsIsReadWhole()
    {
        using var net = new TestNetwork();
        using var server = net.ListenTcp(net.PeerV4, 53);
        string log = Path.Combine(_dir, "tcp.jsonl");
        using var monitor = StartMonitor(log, ["--no-baseline"]);

        // 32 answers: past the 512 bytes the kernel copies of one segment. The server writes the length alone, then
        // the message in two pieces, each flushed on its own (no Nagle, a pause between): three segments.
        var addresses = Enumerable.Range(1, 32).Select(i => new IPAddress([198, 18, 0, (byte)i])).ToArray();
        var serving = Task.Run(() =>
        {
            using var peer = server.Accept();
            peer.NoDelay = true;
            var header = new byte[2];
            peer.Receive(header);
            peer.Receive(new byte[(header[0] << 8) | header[1]]);
            byte[] answer = DnsPacketBuilder.Response("split.web.test", id: 0x5151, addresses: addresses);
            peer.Send([(byte)(answer.Length >> 8), (byte)answer.Length]);
            Thread.Sleep(100);
            peer.Send(answer.AsSpan(0, 300));
            Thread.Sleep(100);
            peer.Send(answer.AsSpan(300));
            Thread.Sleep(200);
        });
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 5_000 })
        {
            client.Connect(net.PeerV4, 53);
            byte[] query = DnsPacketBuilder.Query("split.web.test", id: 0x5151);
            client.Send([(byte)(query.Length >> 8), (byte)query.Length, .. query]);
            var length = new byte[2];
            Assert.Equal(2, client.Receive(length));
            int expected = (length[0] << 8) | length[1], read = 0;
            var buffer = new byte[expected];
            while (read < expected) read += client.Receive(buffer, read, expected - read, SocketFlags.None);
            Assert.True(expected > 512);
        }
        Assert.True(serving.Wait(10_000));
        WaitForLog(log, l => Pid(l) == Environment.ProcessId && Action(l) == "dns_answer");
        StopAndWait(monitor);

        var answerLine = Assert.Single(Lines(log), l => Pid(l) == Environment.ProcessId && Action(l) == "dns_answer");
        Assert.Equal("tcp", answerLine.GetProperty("network").GetProperty("transport").GetString());
        Assert.Equal(addresses.Select(a => a.ToString()),
            answerLine.GetProperty("dns").GetProperty("resolved_ip").EnumerateArray().Select(a => a.GetString()));
        Assert.False(answerLine.GetProperty("net_sentinel").TryGetProperty("dns_truncated", out _));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(\d+) malformed")]
    private static partial System.Text.RegularExpressions.Regex MalformedCount();

    /// <summary>`net-sentinel replay --json --strict` of a log the monitor wrote: the alert lines it would raise.</summary>
    private static List<JsonElement> Replay(string log, params string[] extra)
    {
        var (code, stdout, stderr) = CliRun.Run(["replay", "--json", "--strict", .. extra, log]);
        Assert.True(code is 0 or 1, stderr);
        Assert.Matches(@"replayed \d+ connection event\(s\) and \d+ DNS message\(s\) from ", stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
    }

    /// <summary>Asks <paramref name="server"/> for an A record from this process's own socket and returns the first address.</summary>
    private static IPAddress Resolve(IPAddress server, string name)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 3_000 };
        client.SendTo(DnsPacketBuilder.Query(name, id: 0x4242), new IPEndPoint(server, 53));
        var buffer = new byte[1500];
        int n = client.Receive(buffer);
        Assert.Equal(DnsParseStatus.Parsed, DnsMessageParser.Parse(buffer.AsSpan(0, n), isPrefix: false, out var message));
        return message!.Answers.First(a => a.Address is not null).Address!;
    }

    /// <summary>The live monitor; <paramref name="toml"/> is the test's own config (the log never rotates during the test).</summary>
    private Process StartMonitor(string log, string[] extra, string toml = "")
    {
        string config = CliRun.UnrotatedLogConfig(_dir, toml);
        var monitor = CliRun.Start(["--source", "ebpf", "--log-connections", "--interval", "1", "--duration", "60", "--log-file", log, "-c", config, .. extra]);
        CliRun.WaitForLine(monitor.StandardError, "watching outbound connections");
        return monitor;
    }

    private static int RunBash(string script)
    {
        using var bash = Process.Start("/bin/bash", ["-c", script]);
        Assert.True(bash.WaitForExit(60_000), "load script did not finish");
        Assert.Equal(0, bash.ExitCode);
        return bash.Id;
    }

    /// <summary>Waits (at most 20 s) until the log holds a line <paramref name="expected"/> accepts: on a loaded machine
    /// the monitor may be seconds behind the traffic, and stopping it early would test the load, not the monitor.</summary>
    private static void WaitForLog(string log, Func<JsonElement, bool> expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (File.Exists(log) && File.ReadAllLines(log).Any(l => l.Length > 0 && expected(JsonDocument.Parse(l).RootElement))) return;
            }
            catch (JsonException)
            {
                // a line being written: read again
            }
            Thread.Sleep(200);
        }
    }

    /// <summary>Stops the monitor and returns the rest of its stderr (the closing counts).</summary>
    private static string StopAndWait(Process monitor)
    {
        Thread.Sleep(1500); // let the last events drain and one more interval close
        Assert.Equal(0, CliRun.Kill(monitor.Id, 15));
        Assert.True(monitor.WaitForExit(10_000), "monitor did not exit after SIGTERM");
        Assert.Equal(0, monitor.ExitCode);
        return monitor.StandardError.ReadToEnd();
    }


    private static List<JsonElement> Lines(string log) => File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    private static string Action(JsonElement line) => line.GetProperty("event").GetProperty("action").GetString()!;

    private static int Pid(JsonElement line) => line.TryGetProperty("process", out var p) ? p.GetProperty("pid").GetInt32() : 0;

    private static string? DestinationIp(JsonElement line) =>
        line.TryGetProperty("destination", out var d) ? d.GetProperty("ip").GetString() : null;

    private static string? Domain(JsonElement line) =>
        line.TryGetProperty("destination", out var d) && d.TryGetProperty("domain", out var domain) ? domain.GetString() : null;

    private static string? QuestionName(JsonElement line) =>
        line.TryGetProperty("dns", out var d) ? d.GetProperty("question").GetProperty("name").GetString() : null;


    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
