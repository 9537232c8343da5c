using System.Net;
using System.Net.Sockets;

namespace NetSentinel.Core.Model;

/// <summary>
/// The one place an address is normalised, so one peer never appears under two spellings in baselines, lists,
/// rarity counts or the log: an IPv4-mapped IPv6 address (a dual-stack socket talking IPv4) is the IPv4 address
/// it carries, and an IPv6 scope id (%eth0) is dropped (ECS ip fields and prefixes hold bare addresses).
/// </summary>
public static class CanonicalAddress
{
    /// <summary>The same instance when already canonical (no allocation on the common path).</summary>
    public static IPAddress Of(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4()
        : address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes())
        : address;

    /// <summary>The same endpoint instance when already canonical.</summary>
    public static IPEndPoint Of(IPEndPoint endpoint)
    {
        IPAddress address = Of(endpoint.Address);
        return ReferenceEquals(address, endpoint.Address) ? endpoint : new IPEndPoint(address, endpoint.Port);
    }
}
