using System.Net;
using System.Net.Sockets;

namespace NetSentinel.Windows.IpHelper;

/// <summary>
/// The host's listening TCP endpoints, to tell an accepted (inbound) connection from one we opened.
/// A connection is accepted when a listener holds its local address, or the wildcard address of its
/// family, on its local port. The port alone is not enough: an outbound connection's ephemeral port
/// may equal a port that listens on another address or in the other family.
/// </summary>
internal sealed class TcpListeners
{
    private readonly HashSet<IPEndPoint> _endpoints = new();

    public void Add(IPEndPoint listening) => _endpoints.Add(listening);

    public bool Accepted(IPEndPoint local)
    {
        var wildcard = local.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        return _endpoints.Contains(local) || _endpoints.Contains(new IPEndPoint(wildcard, local.Port));
    }
}
