using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Bpf.Abi;
using NetSentinel.Tests.Shared;
using Xunit.Abstractions;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>UDP over time and UDP direction, on the live kernel (issue 14, kernel side).</summary>
[Collection(BpfTestCollection.Name)]
public class UdpActivityTests(ITestOutputHelper output)
{
    [RootFact]
    public void ABeaconEveryThreeSecondsGivesOneResumedPerBurst()
    {
        using var net = new TestNetwork();
        using Socket server = net.BindUdp(net.PeerV4);
        var target = (IPEndPoint)server.LocalEndPoint!;
        using var source = BpfConnectionSource.Start();
        var recorder = new EventRecorder();
        using var beacon = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        // Three bursts of three datagrams 20 ms apart, 3 s -15 % and 3 s +15 % between the bursts.
        var burstStarts = new List<DateTimeOffset>();
        foreach (double pauseSeconds in new[] { 0, 2.55, 3.45 })
        {
            // Drained while waiting: on a shared host another process's exec storm fills the ring buffer within
            // seconds (the exec records are the largest), and the resumed records written then would be lost.
            recorder.PumpUntil(source, () => false, TimeSpan.FromSeconds(pauseSeconds));
            burstStarts.Add(DateTimeOffset.UtcNow);
            for (int i = 0; i < 3; i++)
            {
                beacon.SendTo(new byte[48], target);
                Thread.Sleep(20);
            }
        }

        bool Mine(ConnectionEvent e) => e.Remote.Equals(target) && e.Process.Pid == Environment.ProcessId;
        Assert.True(recorder.PumpUntil(source, () => recorder.Events.Count(e => Mine(e) && e.Kind == ConnectionEventKind.Resumed) >= 2
            && recorder.Events.Where(e => Mine(e)).Sum(e => e.DeltaSent) == 9 * 48, TimeSpan.FromSeconds(15)));
        var sessions = recorder.Events.Where(e => Mine(e) && e.Kind is ConnectionEventKind.Opened or ConnectionEventKind.Resumed).ToList();
        foreach (ConnectionEvent e in sessions) output.WriteLine($"{e.Kind} {e.Timestamp:HH:mm:ss.fff}");
        Assert.Equal([ConnectionEventKind.Opened, ConnectionEventKind.Resumed, ConnectionEventKind.Resumed], sessions.Select(e => e.Kind));
        Assert.Single(sessions.Select(e => e.ConnectionId).Distinct());
        for (int i = 0; i < 3; i++)
            Assert.InRange((sessions[i].Timestamp - burstStarts[i]).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(200));
    }

    [RootFact]
    public void BurstsUnderASecondApartStayOneSessionThoughMostOfTheirDatagramsReadNoClock()
    {
        using var net = new TestNetwork();
        using Socket server = net.BindUdp(net.PeerV4);
        var target = (IPEndPoint)server.LocalEndPoint!;
        using var source = BpfConnectionSource.Start();
        var recorder = new EventRecorder();
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        // Four bursts of 200 back-to-back datagrams (most within one tick of the first), 0.9 s apart: the gap is
        // measured from the first send of the latest tick, so it stays under the 1 s idle gap.
        for (int burst = 0; burst < 4; burst++)
        {
            recorder.PumpUntil(source, () => false, TimeSpan.FromSeconds(burst == 0 ? 0 : 0.9));
            for (int i = 0; i < 200; i++) sender.SendTo(new byte[20], target);
        }

        bool Mine(ConnectionEvent e) => e.Remote.Equals(target) && e.Process.Pid == Environment.ProcessId;
        Assert.True(recorder.PumpUntil(source, () =>
            recorder.Events.Where(e => Mine(e)).Sum(e => e.DeltaSent) == 4 * 200 * 20,
            TimeSpan.FromSeconds(15)));
        Assert.Equal([ConnectionEventKind.Opened],
            recorder.Events.Where(e => Mine(e) && e.Kind is ConnectionEventKind.Opened or ConnectionEventKind.Resumed).Select(e => e.Kind));
    }

    [RootFact]
    public void TheKernelCountsDatagramsPerFlowBothWays()
    {
        using var net = new TestNetwork();
        using Socket server = net.BindUdp(net.PeerV6);
        var target = (IPEndPoint)server.LocalEndPoint!;
        using var tracer = KernelTracer.Start();
        using var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        client.Connect(target);
        for (int i = 0; i < 5; i++) client.Send(new byte[100]);
        var buffer = new byte[200];
        EndPoint from = new IPEndPoint(IPAddress.IPv6Any, 0);
        for (int i = 0; i < 5; i++) server.ReceiveFrom(buffer, ref from);
        server.SendTo(new byte[30], from);
        server.SendTo(new byte[30], from);
        client.ReceiveTimeout = 5000;
        client.Receive(buffer);
        client.Receive(buffer);

        var flows = new List<KeyValuePair<NsUdpKey, NsUdpFlow>>();
        tracer.ReadUdpFlows(flows);
        NsUdpFlow flow = Assert.Single(flows, f => f.Key.Tgid == Environment.ProcessId && f.Value.Ends.Dport == (ushort)IPAddress.HostToNetworkOrder((short)target.Port)).Value;
        Assert.Equal((5UL, 500UL), (flow.PacketsSent, flow.BytesSent));
        Assert.Equal((2UL, 60UL), (flow.PacketsReceived, flow.BytesReceived));
        Assert.InRange(flow.LastSendNs, flow.FirstNs, flow.FirstNs + 5_000_000_000UL);
    }

    [RootFact]
    public void AServerAnsweringAClientThatWroteFirstMakesNoFlow()
    {
        using var net = new TestNetwork();
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(net.HostV4, 0));
        var service = (IPEndPoint)server.LocalEndPoint!;
        using Socket client = net.InNamespace(() =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(net.PeerV4, 0));
            return s;
        });
        var clientEnd = (IPEndPoint)client.LocalEndPoint!;
        using var source = BpfConnectionSource.Start();
        var recorder = new EventRecorder();

        // A second socket of this process reaches out to the same host on its own: that is outbound.
        using var outbound = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using Socket peerService = net.BindUdp(net.PeerV4);
        var reached = (IPEndPoint)peerService.LocalEndPoint!;
        outbound.SendTo(new byte[10], reached);

        client.SendTo(new byte[20], service);
        var buffer = new byte[64];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        server.ReceiveFrom(buffer, ref from);
        Assert.Equal(clientEnd, from);
        for (int i = 0; i < 3; i++) server.SendTo(new byte[40], from); // the answers
        client.ReceiveTimeout = 5000;
        client.Receive(buffer);

        Assert.True(recorder.PumpUntil(source, () => recorder.Events.Any(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(reached)), TimeSpan.FromSeconds(10)));
        recorder.PumpUntil(source, () => false, TimeSpan.FromMilliseconds(300)); // whatever else the kernel has, drained
        Assert.DoesNotContain(recorder.Events, e => e.Remote.Equals(clientEnd));
    }

    [RootFact]
    public void DnsmasqAnsweringAClientInATestHostMakesNoFlowToTheClientsPort()
    {
        using var net = new TestNetwork();
        int port = FreeUdpPort(net.HostV4);
        string pidFile = Path.Combine(Path.GetTempPath(), $"ns-dnsmasq-{Environment.ProcessId}-{port}.pid");
        using var dnsmasq = Process.Start(new ProcessStartInfo("/usr/sbin/dnsmasq",
        [
            "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--bind-interfaces",
            $"--listen-address={net.HostV4}", $"--port={port}", "--address=/example.test/198.51.100.77",
            $"--pid-file={pidFile}", "--user=root", "--group=root", "--log-facility=-",
        ])
        { RedirectStandardError = true, RedirectStandardOutput = true })!;
        try
        {
            using var source = BpfConnectionSource.Start();
            var recorder = new EventRecorder();
            var service = new IPEndPoint(net.HostV4, port);
            (IPEndPoint clientEnd, byte[] answer) = net.InNamespace(() =>
            {
                using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                client.Bind(new IPEndPoint(net.PeerV4, 0));
                client.ReceiveTimeout = 1000;
                byte[] query = new DnsPacketBuilder().Header(0x4e53, response: false).Question("beacon.example.test").ToArray();
                var buffer = new byte[512];
                for (int attempt = 0; attempt < 20; attempt++) // dnsmasq may still be starting
                {
                    client.SendTo(query, service);
                    try
                    {
                        int n = client.Receive(buffer);
                        return ((IPEndPoint)client.LocalEndPoint!, buffer[..n]);
                    }
                    catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.ConnectionRefused) { }
                }
                throw new InvalidOperationException("dnsmasq did not answer");
            });
            Assert.Equal([198, 51, 100, 77], answer[^4..]); // the A record it was configured with

            int dnsmasqPid = dnsmasq.Id;
            // The client's query is outbound from this process: seeing it proves the monitor was watching.
            Assert.True(recorder.PumpUntil(source, () => recorder.Events.Any(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(service)), TimeSpan.FromSeconds(10)));
            recorder.PumpUntil(source, () => false, TimeSpan.FromMilliseconds(300));
            foreach (ConnectionEvent e in recorder.Events.Where(e => e.Process.Pid == dnsmasqPid)) output.WriteLine($"{e.Kind} {e.Remote}");
            Assert.DoesNotContain(recorder.Events, e => e.Remote.Equals(clientEnd));
            Assert.DoesNotContain(recorder.Events, e => e.Process.Pid == dnsmasqPid && e.Kind == ConnectionEventKind.Opened);
        }
        finally
        {
            dnsmasq.Kill();
            dnsmasq.WaitForExit(5000);
            File.Delete(pidFile);
        }
    }

    private static int FreeUdpPort(IPAddress address)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
