using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using NetSentinel.Core.Identity;
using NetSentinel.Core.Model;
using NetSentinel.Core.Native;
using NetSentinel.Core.Output;
using NetSentinel.Linux.Bpf;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>
/// An unbound UDP socket has no source address: the kernel picks one per datagram from the route. The flow's line must
/// carry that choice (asked of the routing table of the socket's namespace), never 0.0.0.0 or ::, on the real source.
/// </summary>
[Collection(BpfTestCollection.Name)]
public class UdpSourceAddressLiveTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    [RootFact]
    public void AnUnboundIPv4SocketsFlowHasTheSourceTheKernelChoseAndItsCommunityId() => UnboundIPv4(BpfHookVariant.TpBtf);

    /// <summary>The fallback variant (cgroup_skb programs attached, copying DNS only) gives the same answer the same way.</summary>
    [RootFact]
    public void TheRawTracepointVariantGivesTheSameSource() => UnboundIPv4(BpfHookVariant.RawTp);

    private static void UnboundIPv4(BpfHookVariant variant)
    {
        using var net = new TestNetwork();
        using Socket server = net.BindUdp(net.PeerV4);
        ConnectionEvent opened = SendUnbound((IPEndPoint)server.LocalEndPoint!, out int port, variant);

        Assert.Equal(new IPEndPoint(net.HostV4, port), opened.Local);
        JsonElement line = Line(opened);
        Assert.Equal(net.HostV4.ToString(), line.GetProperty("source").GetProperty("ip").GetString());
        Assert.Equal(port, line.GetProperty("source").GetProperty("port").GetInt32());
        Span<byte> expected = stackalloc byte[CommunityId.MaxUtf8Length];
        int length = CommunityId.Format(expected, net.HostV4, port, opened.Remote.Address, opened.Remote.Port, CommunityId.Udp);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(expected[..length]), line.GetProperty("network").GetProperty("community_id").GetString());
    }

    [RootFact]
    public void AnUnboundIPv6SocketsFlowHasTheSourceTheKernelChose()
    {
        using var net = new TestNetwork();
        using Socket server = net.BindUdp(net.PeerV6);
        ConnectionEvent opened = SendUnbound((IPEndPoint)server.LocalEndPoint!, out int port);

        Assert.Equal(new IPEndPoint(net.HostV6, port), opened.Local);
        Assert.Equal(net.HostV6.ToString(), Line(opened).GetProperty("source").GetProperty("ip").GetString());
    }

    /// <summary>
    /// A thread inside the test host's namespace sends from an unbound socket there: the answer must come from that
    /// namespace's routing table (the peer's address), not the monitor's (which would answer with the host side's).
    /// </summary>
    [RootFact]
    public void AFlowFromAnotherNamespaceHasTheSourceThatNamespaceChose()
    {
        using var net = new TestNetwork();
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(net.HostV4, 0));
        var target = (IPEndPoint)receiver.LocalEndPoint!;
        using var source = BpfConnectionSource.Start();
        var recorder = new EventRecorder();

        int port = 0;
        using var sent = new ManualResetEventSlim();
        using var done = new ManualResetEventSlim();
        var sender = new Thread(() =>
        {
            // Stays in the namespace until the flow was drained: the monitor enters it through this thread.
            using var self = File.OpenHandle("/proc/thread-self/ns/net");
            using var theirs = File.OpenHandle($"/run/netns/{net.Namespace}");
            Assert.Equal(0, LibC.SetNs((int)theirs.DangerousGetHandle(), LibC.CLONE_NEWNET));
            try
            {
                using var unbound = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                unbound.SendTo(new byte[16], target);
                port = ((IPEndPoint)unbound.LocalEndPoint!).Port;
                sent.Set();
                done.Wait(s_timeout);
            }
            finally
            {
                LibC.SetNs((int)self.DangerousGetHandle(), LibC.CLONE_NEWNET);
            }
        });
        sender.Start();
        try
        {
            Assert.True(sent.Wait(s_timeout));
            Assert.True(recorder.PumpUntil(source, () => recorder.Events.Any(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target)), s_timeout));
        }
        finally
        {
            done.Set();
            sender.Join();
        }

        ConnectionEvent opened = recorder.Events.First(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target));
        Assert.Equal(new IPEndPoint(net.PeerV4, port), opened.Local);
    }

    /// <summary>Sends one datagram from a new unbound socket of this process and returns its flow's opened event.</summary>
    private static ConnectionEvent SendUnbound(IPEndPoint target, out int port, BpfHookVariant? variant = null)
    {
        using var source = variant is null ? BpfConnectionSource.Start() : BpfConnectionSource.Start(variant);
        var recorder = new EventRecorder();
        using var unbound = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        unbound.SendTo(new byte[16], target);
        port = ((IPEndPoint)unbound.LocalEndPoint!).Port;
        Assert.True(((IPEndPoint)unbound.LocalEndPoint!).Address.Equals(target.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any));

        Assert.True(recorder.PumpUntil(source, () => recorder.Events.Any(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target)), s_timeout));
        return recorder.Events.First(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target));
    }

    private static JsonElement Line(ConnectionEvent opened)
    {
        byte[] line = new EcsJsonFormatter(HostIdentity.Current()).FormatLine(new ConnectionLogRecord { Timestamp = opened.Timestamp, Source = "ebpf", Event = opened });
        return JsonDocument.Parse(line).RootElement.Clone();
    }
}
