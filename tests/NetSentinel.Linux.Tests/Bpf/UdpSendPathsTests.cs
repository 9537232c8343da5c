using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Bpf.Abi;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>
/// Every way a process sends a datagram ends in the same flow's counters, exactly, on both hook variants (issue 15: the
/// per-datagram path reads the destination from the call or the socket, and the clock only once a tick).
/// </summary>
[Collection(BpfTestCollection.Name)]
public partial class UdpSendPathsTests
{
    private const int BurstSize = 3000; // sent back to back: most of them inside a tick another send was timed in

    [RootFact]
    public void SendtoSendmsgAndAConnectedSendAreCountedInOneFlowToTheDatagramWithTpBtf() => CountEverySendPath(BpfHookVariant.TpBtf);

    [RootFact]
    public void SendtoSendmsgAndAConnectedSendAreCountedInOneFlowToTheDatagramWithRawTp() => CountEverySendPath(BpfHookVariant.RawTp);

    private static void CountEverySendPath(BpfHookVariant variant)
    {
        using var net = new TestNetwork();
        using var tracer = KernelTracer.Start(KernelTracer.LoadEmbeddedObject(), [variant]);
        var expected = new Dictionary<IPEndPoint, (ulong Packets, ulong Bytes)>();
        var servers = new List<Socket>();
        try
        {
            foreach (IPAddress peer in new[] { net.PeerV4, net.PeerV6 })
            {
                Socket server = net.BindUdp(peer);
                servers.Add(server);
                var target = (IPEndPoint)server.LocalEndPoint!;
                using var unconnected = new Socket(peer.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                using var connected = new Socket(peer.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                connected.Connect(target);
                for (int i = 0; i < BurstSize; i++) SendTo(unconnected, new byte[10 + i % 7], target); // sendto(2)
                for (int i = 0; i < 5; i++) unconnected.SendTo(new byte[100], target);                   // .NET: sendmsg(2)
                for (int i = 0; i < 4; i++) connected.Send(new byte[50]);                                // no address
                ulong burstBytes = 0;
                for (int i = 0; i < BurstSize; i++) burstBytes += (ulong)(10 + i % 7);
                expected[target] = (BurstSize + 5 + 4, burstBytes + 500 + 200);
            }

            var flows = new List<KeyValuePair<NsUdpKey, NsUdpFlow>>();
            tracer.ReadUdpFlows(flows);
            foreach ((IPEndPoint target, (ulong packets, ulong bytes)) in expected)
            {
                NsUdpFlow flow = Assert.Single(flows, f => f.Key.Tgid == Environment.ProcessId
                    && f.Value.Ends.Dport == (ushort)IPAddress.HostToNetworkOrder((short)target.Port)).Value;
                Assert.Equal((packets, bytes), (flow.PacketsSent, flow.BytesSent));
                Assert.InRange(flow.LastSendNs, flow.FirstNs, flow.FirstNs + 10_000_000_000UL);
                Assert.NotEqual(0UL, flow.LastSendTick);
            }
        }
        finally
        {
            foreach (Socket server in servers) server.Dispose();
        }
    }

    /// <summary>sendto(2) itself, with the destination in the call (.NET's SendTo uses sendmsg): a sockaddr_in (16 bytes)
    /// or sockaddr_in6 (28) as the kernel reads it.</summary>
    private static unsafe void SendTo(Socket socket, byte[] payload, IPEndPoint target)
    {
        bool v6 = target.AddressFamily == AddressFamily.InterNetworkV6;
        Span<byte> name = stackalloc byte[v6 ? 28 : 16];
        name.Clear();
        name[0] = v6 ? (byte)10 : (byte)2; // AF_INET6 / AF_INET, host order (little-endian)
        name[2] = (byte)(target.Port >> 8);
        name[3] = (byte)target.Port;
        target.Address.GetAddressBytes().CopyTo(name[(v6 ? 8 : 4)..]);
        fixed (byte* data = payload)
        fixed (byte* to = name)
        {
            nint sent = sendto((int)socket.Handle, data, payload.Length, 0, to, name.Length);
            Assert.True(sent == payload.Length, $"sendto: {sent}, errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    private static unsafe partial nint sendto(int socket, byte* buffer, nint length, int flags, byte* address, int addressLength);
}
