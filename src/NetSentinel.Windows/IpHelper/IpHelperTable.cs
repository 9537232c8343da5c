namespace NetSentinel.Windows.IpHelper;

/// <summary>The four owner-pid tables a snapshot reads: TCP and UDP, each for IPv4 and IPv6.</summary>
public enum IpHelperTable
{
    Tcp4,
    Tcp6,
    Udp4,
    Udp6,
}
