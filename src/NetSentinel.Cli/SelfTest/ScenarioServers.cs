using System.Net;
using System.Net.Sockets;
using NetSentinel.Linux.SelfTest;

namespace NetSentinel.Cli.SelfTest;

/// <summary>
/// The servers on the self-test's namespace test host: TCP listeners speaking <see cref="ScenarioWire"/> and UDP
/// responders (an NTP-sized reply to every datagram), each bound to the any-address of both families so they answer
/// for the host's own addresses and for every address of the block it answers for. Their sockets live in the
/// namespace; the tasks serving them run here. Dispose closes them all.
/// </summary>
public sealed class ScenarioServers : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _loops = [];

    public ScenarioServers(NamespaceHost host, IEnumerable<int> tcpPorts, IEnumerable<int> udpPorts)
    {
        foreach (int port in tcpPorts)
        {
            var listener = host.ListenTcp(IPAddress.IPv6Any, port);
            _sockets.Add(listener);
            _loops.Add(Task.Run(() => Accept(listener)));
        }
        foreach (int port in udpPorts)
        {
            var responder = host.BindUdp(IPAddress.IPv6Any, port);
            _sockets.Add(responder);
            _loops.Add(Task.Run(() => Respond(responder)));
        }
    }

    /// <summary>Exchanges served and datagrams answered, for the self-test's closing note.</summary>
    public long Served => Interlocked.Read(ref _served);
    private long _served;

    private async Task Accept(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(Socket client)
    {
        using (client)
        {
            try
            {
                long want = await ScenarioWire.ReadRequest(client, _stop.Token);
                await ScenarioWire.Drain(client, _stop.Token);
                if (want > 0)
                {
                    await ScenarioWire.SendBytes(client, want, 0, _stop.Token);
                }
                client.Shutdown(SocketShutdown.Both);
                Interlocked.Increment(ref _served);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // the client went away, or the self-test is stopping
            }
        }
    }

    private async Task Respond(Socket responder)
    {
        var buffer = new byte[2048];
        var reply = new byte[ScenarioWire.UdpReplyBytes];
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var from = await responder.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.IPv6Any, 0), _stop.Token);
                await responder.SendToAsync(reply, SocketFlags.None, from.RemoteEndPoint, _stop.Token);
                Interlocked.Increment(ref _served);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // an ICMP error from an earlier reply: keep answering
            }
        }
    }

    /// <summary>
    /// <paramref name="clients"/> clients on the test host, each from its own socket (its own port), write once to
    /// <paramref name="server"/> (a scenario's UDP server on this host) and wait for the answer, trying three times.
    /// Returns how many were answered.
    /// </summary>
    public static int AskFromTestHost(NamespaceHost host, IPEndPoint server, int clients)
    {
        var sockets = host.InNamespace(() => Enumerable.Range(0, clients)
            .Select(_ => new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp)).ToList());
        int answered = 0;
        var buffer = new byte[2048];
        try
        {
            foreach (var socket in sockets)
            {
                socket.ReceiveTimeout = 500;
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    socket.SendTo(new byte[ScenarioWire.UdpReplyBytes], server);
                    try
                    {
                        socket.Receive(buffer);
                        answered++;
                        break;
                    }
                    catch (SocketException)
                    {
                        // not answered yet: ask again
                    }
                }
            }
        }
        finally
        {
            // Closed only now: a client closed after its answer freed its ephemeral port, and a later client could be
            // given the same one (~6 % of runs: 1 + … + 59 chances in 28,232 ports); the server, counting clients by address
            // and port, then never reached 60 and the scenario timed out (seen in CI).
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
        return answered;
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
        Task.WaitAll([.. _loops], TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
