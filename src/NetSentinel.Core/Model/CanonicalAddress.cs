using System.Net;

namespace NetSentinel.Core.Model;

/// <summary>
/// The one place an address is normalised: an IPv4-mapped IPv6 address (a dual-stack socket talking IPv4)
/// is the IPv4 address it carries, so one peer never appears under two spellings in baselines, lists or the log.
/// </summary>
public static class CanonicalAddress
{
    public static IPAddress Of(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>The same endpoint instance when already canonical (no allocation on the common path).</summary>
    public static IPEndPoint Of(IPEndPoint endpoint) =>
        endpoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port) : endpoint;
}
