using System.Net;
using System.Net.Sockets;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Snapshot;
using NetSentinel.Tests.Shared;
using static NetSentinel.Linux.Tests.Snapshot.SnapshotQueries;

namespace NetSentinel.Linux.Tests.Snapshot;

public class LinuxSnapshotProviderTests
{
    private const int BytesToSend = 100_000;
    private const int BytesToReceive = 5_000;

    [RootFact]
    public void OutboundTcpToTestHostOverIPv4HasOwnerAddressesStateAndByteCounts()
    {
        using var net = new TestNetwork();
        AssertOutboundTcpRecord(net, net.PeerV4);
    }

    [RootFact]
    public void OutboundTcpToTestHostOverIPv6HasOwnerAddressesStateAndByteCounts()
    {
        using var net = new TestNetwork();
        AssertOutboundTcpRecord(net, net.PeerV6);
    }

    private static void AssertOutboundTcpRecord(TestNetwork net, IPAddress peer)
    {
        using var listener = net.ListenTcp(peer);
        using var client = new Socket(peer.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using var server = listener.Accept();
        server.ReceiveTimeout = 5000;
        client.ReceiveTimeout = 5000;

        Assert.Equal(BytesToSend, client.Send(new byte[BytesToSend]));
        ReceiveExactly(server, BytesToSend);
        Assert.Equal(BytesToReceive, server.Send(new byte[BytesToReceive]));
        ReceiveExactly(client, BytesToReceive);

        var provider = new LinuxSnapshotProvider();
        ConnectionRecord record = CaptureUntil(provider, Transport.Tcp, client.LocalEndPoint!, listener.LocalEndPoint!,
            r => r.BytesSent == BytesToSend && r.BytesReceived == BytesToReceive);

        Assert.Equal(peer, record.Remote.Address);
        Assert.Equal(((IPEndPoint)listener.LocalEndPoint!).Port, record.Remote.Port);
        Assert.Equal(peer.AddressFamily == AddressFamily.InterNetwork ? net.HostV4 : net.HostV6, record.Local.Address);
        Assert.Equal("ESTABLISHED", record.State);
        Assert.Equal(Direction.Outbound, record.Direction);
        Assert.Equal(BytesToSend, record.BytesSent);
        Assert.Equal(BytesToReceive, record.BytesReceived);
        Assert.NotEqual(0UL, record.SocketId);
        Assert.Equal(0, record.Uid);

        Assert.Equal(Environment.ProcessId, record.Process.Pid);
        Assert.Equal(File.ResolveLinkTarget("/proc/self/exe", returnFinalTarget: false)!.FullName, record.Process.Executable);
        Assert.Equal(File.ReadAllText("/proc/self/comm").TrimEnd('\n'), record.Process.Name);
        Assert.Equal(AttributionSource.Proc, record.Process.IdentifiedBy);
        Assert.Equal("root", record.Process.UserName);
        Assert.Null(provider.DegradedReason);
    }

    [Fact]
    public void ListenerIsListeningAcceptedSideIsInboundClientSideIsOutbound()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using var accepted = listener.Accept();

        IReadOnlyList<ConnectionRecord> records = new LinuxSnapshotProvider().Capture();

        ConnectionRecord listening = Find(records, Transport.Tcp, listener.LocalEndPoint!, new IPEndPoint(IPAddress.Any, 0));
        Assert.Equal("LISTEN", listening.State);
        Assert.Equal(Direction.Listening, listening.Direction);
        Assert.Equal(Environment.ProcessId, listening.Process.Pid);

        ConnectionRecord inbound = Find(records, Transport.Tcp, accepted.LocalEndPoint!, client.LocalEndPoint!);
        Assert.Equal("ESTABLISHED", inbound.State);
        Assert.Equal(Direction.Inbound, inbound.Direction);

        ConnectionRecord outbound = Find(records, Transport.Tcp, client.LocalEndPoint!, listener.LocalEndPoint!);
        Assert.Equal(Direction.Outbound, outbound.Direction);
        Assert.Equal(Environment.ProcessId, outbound.Process.Pid);
    }

    [Fact]
    public void ByteCountersAreApplicationBytesOnBothSidesAfterAHalfClose()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using var accepted = listener.Accept();
        accepted.ReceiveTimeout = 5000;
        client.ReceiveTimeout = 5000;
        client.Send(new byte[1000]);
        ReceiveExactly(accepted, 1000);
        accepted.Send(new byte[300]);
        ReceiveExactly(client, 300);
        // The FINs occupy sequence space too; the counters must still show only data.
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, accepted.Receive(new byte[16]));

        var provider = new LinuxSnapshotProvider();
        ConnectionRecord clientSide = CaptureUntil(provider, Transport.Tcp, client.LocalEndPoint!, accepted.LocalEndPoint!, r => r.State == "FIN_WAIT2");
        ConnectionRecord serverSide = Find(provider.Capture(), Transport.Tcp, accepted.LocalEndPoint!, client.LocalEndPoint!);

        Assert.Equal(("FIN_WAIT2", 1000L, 300L), (clientSide.State, clientSide.BytesSent, clientSide.BytesReceived));
        Assert.Equal(("CLOSE_WAIT", 300L, 1000L), (serverSide.State, serverSide.BytesSent, serverSide.BytesReceived));
    }

    [Fact]
    public void ConnectionAcceptedByDualStackWildcardListenerIsInbound()
    {
        using var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
        listener.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
        listener.Listen(8);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(new IPEndPoint(IPAddress.Loopback, port));
        using var accepted = listener.Accept();

        IReadOnlyList<ConnectionRecord> records = new LinuxSnapshotProvider().Capture();

        // The accepted socket is AF_INET6 with IPv4-mapped addresses (::ffff:127.0.0.1).
        var mappedLoopback = IPAddress.Loopback.MapToIPv6();
        var clientEndPoint = (IPEndPoint)client.LocalEndPoint!;
        ConnectionRecord inbound = Find(records, Transport.Tcp, new IPEndPoint(mappedLoopback, port), new IPEndPoint(mappedLoopback, clientEndPoint.Port));
        Assert.Equal(Direction.Inbound, inbound.Direction);
        ConnectionRecord outbound = Find(records, Transport.Tcp, clientEndPoint, new IPEndPoint(IPAddress.Loopback, port));
        Assert.Equal(Direction.Outbound, outbound.Direction);
    }

    [Fact]
    public void ConnectedUdpIsOutboundWithItsPeerAndUnconnectedUdpIsListening()
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Connect(server.LocalEndPoint!);
        client.Send(new byte[10]);

        IReadOnlyList<ConnectionRecord> records = new LinuxSnapshotProvider().Capture();

        ConnectionRecord connected = Find(records, Transport.Udp, client.LocalEndPoint!, server.LocalEndPoint!);
        Assert.Equal(Direction.Outbound, connected.Direction);
        Assert.Equal("ESTABLISHED", connected.State);
        Assert.Equal(Environment.ProcessId, connected.Process.Pid);
        Assert.Equal(-1, connected.BytesSent);

        ConnectionRecord unconnected = Find(records, Transport.Udp, server.LocalEndPoint!, new IPEndPoint(IPAddress.Any, 0));
        Assert.Equal(Direction.Listening, unconnected.Direction);
        Assert.Equal("UNCONN", unconnected.State);
    }

    [RootFact]
    public void ConnectedUdpToTestHostOverIPv6IsOutbound()
    {
        using var net = new TestNetwork();
        using var server = net.BindUdp(net.PeerV6);
        using var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        client.Connect(server.LocalEndPoint!);

        ConnectionRecord record = Find(new LinuxSnapshotProvider().Capture(), Transport.Udp, client.LocalEndPoint!, server.LocalEndPoint!);

        Assert.Equal(Direction.Outbound, record.Direction);
        Assert.Equal(net.HostV6, record.Local.Address);
        Assert.Equal(Environment.ProcessId, record.Process.Pid);
    }

    private static void ReceiveExactly(Socket socket, int count)
    {
        var buffer = new byte[64 * 1024];
        int total = 0;
        while (total < count)
        {
            int n = socket.Receive(buffer, 0, Math.Min(buffer.Length, count - total), SocketFlags.None);
            Assert.True(n > 0, $"peer closed after {total} of {count} bytes");
            total += n;
        }
    }
}
