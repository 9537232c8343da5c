namespace NetSentinel.Core.Model;

/// <summary>The one spelling of each transport, as the log (network.transport), the baseline file and the terminal write it.</summary>
public static class TransportNames
{
    public const string Tcp = "tcp";
    public const string Udp = "udp";

    public static string Of(Transport transport) => transport == Transport.Udp ? Udp : Tcp;

    /// <summary>False for anything but the exact lower-case names.</summary>
    public static bool TryParse(string? name, out Transport transport)
    {
        transport = name == Udp ? Transport.Udp : Transport.Tcp;
        return name is Tcp or Udp;
    }
}
