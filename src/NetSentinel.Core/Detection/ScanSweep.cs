using System.Collections;
using System.Net;

namespace NetSentinel.Core.Detection;

/// <summary>
/// A process known to be scanning: every distinct host and port it has tried since it crossed a scan threshold,
/// so the incident can say how far the sweep went (not only that it crossed). Ports are a 65536-bit map (exact,
/// 8 KiB); hosts are exact up to <see cref="MaxHosts"/>.
/// </summary>
internal sealed class ScanSweep(DateTimeOffset start, bool byPorts)
{
    public const int MaxHosts = 65_536;

    private readonly HashSet<IPAddress> _hosts = [];
    private readonly BitArray _ports = new(65_536);

    /// <summary>The earliest attempt in the window when the threshold was crossed.</summary>
    public DateTimeOffset Start { get; } = start;

    /// <summary>Whether the ports threshold (rather than the hosts one) was crossed.</summary>
    public bool ByPorts { get; } = byPorts;

    public int Hosts => _hosts.Count;
    public int Ports { get; private set; }

    /// <summary>Records a target tried; true when it is a host or port not tried before.</summary>
    public bool Add(IPAddress host, int port)
    {
        bool grew = _hosts.Count < MaxHosts && _hosts.Add(host);
        if (port is >= 0 and < 65_536 && !_ports[port])
        {
            _ports[port] = true;
            Ports++;
            grew = true;
        }
        return grew;
    }
}
