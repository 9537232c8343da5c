using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace NetSentinel.Core.Output.Syslog;

/// <summary>
/// Where the syslog output sends: <c>/dev/log</c> (or any absolute path: a Unix datagram socket),
/// <c>udp:192.0.2.7:514</c>, <c>tcp:[2001:db8::7]:6514</c>. Addresses, not names: a name would be
/// resolved again at every reconnect, and a resolver that hangs would stall the output.
/// </summary>
public sealed record SyslogTarget
{
    private SyslogTarget(SyslogTransport transport, EndPoint endPoint, string text)
    {
        Transport = transport;
        EndPoint = endPoint;
        Text = text;
    }

    public SyslogTransport Transport { get; }

    public EndPoint EndPoint { get; }

    /// <summary>As written in the configuration.</summary>
    public string Text { get; }

    public override string ToString() => Text;

    /// <summary>Null and the problem when <paramref name="text"/> is not a target.</summary>
    public static SyslogTarget? TryParse(string text, out string problem)
    {
        problem = "";
        if (text.StartsWith('/'))
        {
            if (text.Contains('\0', StringComparison.Ordinal))
            {
                problem = "must not contain a NUL character";
                return null;
            }
            return new SyslogTarget(SyslogTransport.UnixDatagram, new UnixDomainSocketEndPoint(text), text);
        }
        SyslogTransport transport;
        if (text.StartsWith("udp:", StringComparison.Ordinal)) transport = SyslogTransport.Udp;
        else if (text.StartsWith("tcp:", StringComparison.Ordinal)) transport = SyslogTransport.Tcp;
        else
        {
            problem = "must be a Unix socket path (\"/dev/log\"), \"udp:ADDRESS:PORT\" or \"tcp:ADDRESS:PORT\"";
            return null;
        }
        string hostPort = text[4..];
        int colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostPort.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            problem = "must give ADDRESS:PORT after udp: or tcp:, e.g. \"udp:127.0.0.1:514\" or \"tcp:[::1]:6514\"";
            return null;
        }
        string host = hostPort[..colon];
        bool bracketed = host.StartsWith('[') && host.EndsWith(']');
        if (bracketed) host = host[1..^1];
        if (!IPAddress.TryParse(host, out var address) || (address.AddressFamily == AddressFamily.InterNetworkV6) != bracketed)
        {
            problem = "must give an IP address (IPv6 in brackets), not a name";
            return null;
        }
        return new SyslogTarget(transport, new IPEndPoint(address, port), text);
    }
}
