using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace NetSentinel.Core.Metrics;

/// <summary>
/// Where the metrics endpoint listens: <c>127.0.0.1:9469</c>, <c>[::1]:9469</c>, or a Unix socket path <c>/run/net-sentinel/metrics.sock</c>.
/// Names are not resolved: an address is what the operator meant, and what the loopback rule checks.
/// </summary>
public sealed record MetricsEndpoint
{
    private MetricsEndpoint(EndPoint endPoint, string text)
    {
        EndPoint = endPoint;
        Text = text;
    }

    public EndPoint EndPoint { get; }

    /// <summary>As written in the configuration.</summary>
    public string Text { get; }

    /// <summary>A Unix socket or a loopback address: reachable from this host only.</summary>
    public bool IsLocal => EndPoint is UnixDomainSocketEndPoint || (EndPoint is IPEndPoint ip && IPAddress.IsLoopback(ip.Address));

    public override string ToString() => Text;

    /// <summary>Null and the problem when the text is not an endpoint.</summary>
    public static MetricsEndpoint? TryParse(string text, out string problem)
    {
        problem = "";
        if (text.StartsWith('/'))
        {
            if (text.Contains('\0', StringComparison.Ordinal))
            {
                problem = "must not contain a NUL character";
                return null;
            }
            return new MetricsEndpoint(new UnixDomainSocketEndPoint(text), text);
        }
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 0 or > 65535)
        {
            problem = "must be ADDRESS:PORT (e.g. \"127.0.0.1:9469\" or \"[::1]:9469\") or a Unix socket path (\"/run/net-sentinel/metrics.sock\")";
            return null;
        }
        string host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (!IPAddress.TryParse(host, out var address) || (address.AddressFamily == AddressFamily.InterNetworkV6 && !text.StartsWith('[')))
        {
            problem = "must give an IP address (IPv6 in brackets), not a name";
            return null;
        }
        return new MetricsEndpoint(new IPEndPoint(address, port), text);
    }
}
