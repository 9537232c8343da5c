using System.Net;
using System.Net.Sockets;

namespace NetSentinel.Probe;

/// <summary>
/// A listener and a client connected to it on 127.0.0.1 (and on ::1 when asked), plus a bound UDP socket:
/// the client side is an outbound connection owned by this process, the accepted side an inbound one.
/// </summary>
internal sealed class LoopbackSockets : IDisposable
{
    private readonly List<Socket> _sockets = new();
    private readonly List<string> _described = new();

    public static LoopbackSockets Open(bool ipv6)
    {
        var opened = new LoopbackSockets();
        try
        {
            opened.Connect(IPAddress.Loopback, "v4");
            if (ipv6) opened.Connect(IPAddress.IPv6Loopback, "v6");
            opened.Bind(IPAddress.Loopback, "udp4");
            if (ipv6) opened.Bind(IPAddress.IPv6Loopback, "udp6");
            return opened;
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }

    /// <summary>"v4client=127.0.0.1:P v4server=127.0.0.1:L ...": what the smoke test greps for.</summary>
    public string Describe() => string.Join(' ', _described);

    private void Connect(IPAddress loopback, string tag)
    {
        var listener = new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _sockets.Add(listener);
        listener.Bind(new IPEndPoint(loopback, 0));
        listener.Listen(1);
        var client = new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _sockets.Add(client);
        client.Connect(listener.LocalEndPoint!);
        var accepted = listener.Accept();
        _sockets.Add(accepted);
        // Under Wine the socket lives in wineserver until this process uses it; only then does the
        // process hold its file descriptor, which is how Wine finds a socket's owning pid.
        Exchange(client, accepted);
        Exchange(accepted, client);
        _described.Add($"{tag}client={client.LocalEndPoint} {tag}server={listener.LocalEndPoint}");
    }

    private void Bind(IPAddress loopback, string tag)
    {
        var udp = new Socket(loopback.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _sockets.Add(udp);
        udp.Bind(new IPEndPoint(loopback, 0));
        udp.SendTo([1], udp.LocalEndPoint!);
        udp.Receive(new byte[1]);
        _described.Add($"{tag}={udp.LocalEndPoint}");
    }

    private static void Exchange(Socket from, Socket to)
    {
        from.Send([1]);
        to.Receive(new byte[1]);
    }

    public void Dispose()
    {
        foreach (var socket in _sockets) socket.Dispose();
        _sockets.Clear();
    }
}
