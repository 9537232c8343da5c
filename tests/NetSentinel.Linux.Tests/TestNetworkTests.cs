using System.Net;
using System.Net.Sockets;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Linux.Tests;

public class TestNetworkTests
{
    [RootFact]
    public void TcpAndUdpReachTheTestHostOverV4AndV6()
    {
        using var net = new TestNetwork();
        foreach (var (host, peer) in new[] { (net.HostV4, net.PeerV4), (net.HostV6, net.PeerV6) })
        {
            using var listener = net.ListenTcp(peer);
            using var client = new Socket(peer.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(listener.LocalEndPoint!);
            using var accepted = listener.Accept();
            client.Send(new byte[100]);
            Assert.Equal(100, accepted.Receive(new byte[200]));
            Assert.Equal(host, ((IPEndPoint)client.LocalEndPoint!).Address);

            using var udpServer = net.BindUdp(peer);
            using var udp = new Socket(peer.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            udp.SendTo(new byte[64], udpServer.LocalEndPoint!);
            udpServer.ReceiveTimeout = 2000;
            Assert.Equal(64, udpServer.Receive(new byte[100]));
        }
    }
}
