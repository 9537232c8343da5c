using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using NetSentinel.Core.Dns;
using NetSentinel.Linux.Bpf;
using NetSentinel.Tests.Shared;
using Xunit.Abstractions;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>
/// The two ways DNS messages are copied give the same events: tp_btf from the caller's buffers in the send/recv hooks
/// (only sockets that sent to port 53), raw_tp from packets (cgroup_skb). One exchange per way a client moves its bytes:
/// sendmsg/recvmsg on an unconnected UDP socket, send/recv on a connected one, and DNS over TCP with the query written
/// as two buffers (length, message) in one sendmsg and the answer read as glibc reads it: the 2-byte length, then the rest.
/// </summary>
[Collection(BpfTestCollection.Name)]
public class DnsCaptureTests(ITestOutputHelper output)
{
    [RootFact]
    public void BothVariantsCopyTheSameQueriesAndAnswersOverUdpAndTcp()
    {
        using var net = new TestNetwork();
        using Socket udpServer = net.BindUdp(net.PeerV4, 53);
        using Socket tcpServer = net.ListenTcp(net.PeerV4, 53);
        var server = new IPEndPoint(net.PeerV4, 53);

        List<string> withBtf = Observe(BpfHookVariant.TpBtf, udpServer, tcpServer, server);
        List<string> withRaw = Observe(BpfHookVariant.RawTp, udpServer, tcpServer, server);
        foreach (string line in withBtf) output.WriteLine(line);
        string[] expected =
        [
            $"answer connected.test A -> 198.51.100.7 via Udp from {server}",
            $"answer tcp.test A -> 198.51.100.8 via Tcp from {server}",
            $"answer unconnected.test A -> 198.51.100.6 via Udp from {server}",
            $"query connected.test A via Udp to {server}",
            $"query tcp.test A via Tcp to {server}",
            $"query unconnected.test A via Udp to {server}",
        ];
        Assert.Equal(expected, withBtf);
        Assert.Equal(withBtf, withRaw);
    }

    /// <summary>Runs the three exchanges under <paramref name="variant"/>; returns this process's DNS events, in words, sorted.</summary>
    private static List<string> Observe(BpfHookVariant variant, Socket udpServer, Socket tcpServer, IPEndPoint server)
    {
        using var source = BpfConnectionSource.Start(variant);
        var recorder = new EventRecorder();

        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5_000 })
        {
            client.SendTo(DnsPacketBuilder.Query("unconnected.test", id: 1), server);
            AnswerUdp(udpServer, "unconnected.test", 1, IPAddress.Parse("198.51.100.6"));
            var buffer = new byte[512];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            Assert.True(client.ReceiveFrom(buffer, ref from) > 12);
        }
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5_000 })
        {
            client.Connect(server);
            client.Send(DnsPacketBuilder.Query("connected.test", id: 2));
            AnswerUdp(udpServer, "connected.test", 2, IPAddress.Parse("198.51.100.7"));
            Assert.True(client.Receive(new byte[512]) > 12);
        }
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 5_000 })
        {
            client.Connect(server);
            using Socket accepted = tcpServer.Accept();
            byte[] query = DnsPacketBuilder.Query("tcp.test", id: 3);
            client.Send([new ArraySegment<byte>(Length(query.Length)), new ArraySegment<byte>(query)]);
            byte[] received = ReceiveExactly(accepted, 2 + query.Length);
            Assert.Equal(query, received[2..]);
            byte[] answer = DnsPacketBuilder.Response("tcp.test", id: 3, addresses: [IPAddress.Parse("198.51.100.8")]);
            accepted.Send([.. Length(answer.Length), .. answer]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(ReceiveExactly(client, 2));
            Assert.Equal(answer, ReceiveExactly(client, length));
        }

        Assert.True(recorder.PumpUntil(source, () => Mine(recorder).Count() >= 6, TimeSpan.FromSeconds(20)),
            $"{variant.Name}: saw {string.Join("; ", Mine(recorder).Select(Describe))}");
        Assert.All(Mine(recorder), e => Assert.NotEqual(0, e.Local?.Port ?? 0));
        return Mine(recorder).Select(Describe).Order(StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<DnsEvent> Mine(EventRecorder recorder) =>
        recorder.DnsEvents.Where(e => e.Process.Pid == Environment.ProcessId && e.Message?.QuestionName.EndsWith(".test", StringComparison.Ordinal) == true);

    private static string Describe(DnsEvent e)
    {
        DnsMessage message = e.Message!;
        return message.IsResponse
            ? $"answer {message.QuestionName} {message.QuestionType} -> {string.Join(",", message.Answers.Select(a => a.Address))} via {e.Transport} from {e.Server}"
            : $"query {message.QuestionName} {message.QuestionType} via {e.Transport} to {e.Server}";
    }

    private static void AnswerUdp(Socket udpServer, string name, ushort id, IPAddress address)
    {
        var buffer = new byte[512];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        udpServer.ReceiveTimeout = 5_000;
        Assert.True(udpServer.ReceiveFrom(buffer, ref from) > 12);
        udpServer.SendTo(DnsPacketBuilder.Response(name, id: id, addresses: [address]), from);
    }

    private static byte[] Length(int length)
    {
        var prefix = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)length);
        return prefix;
    }

    private static byte[] ReceiveExactly(Socket socket, int count)
    {
        var buffer = new byte[count];
        for (int got = 0; got < count;)
        {
            int n = socket.Receive(buffer, got, count - got, SocketFlags.None);
            Assert.True(n > 0, "the peer closed early");
            got += n;
        }
        return buffer;
    }
}
