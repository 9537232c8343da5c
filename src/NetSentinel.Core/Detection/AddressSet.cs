using System.Net;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Detection;

/// <summary>
/// A set of address blocks with a lookup that costs one hash probe per distinct prefix length in the set
/// (at most 33 for IPv4, 129 for IPv6), so a blocklist of many thousands of entries stays cheap per connect.
/// </summary>
public sealed class AddressSet
{
    private readonly Dictionary<int, HashSet<IPAddress>> _byLength = [];

    public AddressSet(IEnumerable<NetworkPrefix> prefixes)
    {
        foreach (NetworkPrefix prefix in prefixes)
        {
            // Lengths are kept apart per family: /24 of IPv4 and /24 of IPv6 are different blocks.
            int key = prefix.IsIPv4 ? prefix.Length : 1000 + prefix.Length;
            if (!_byLength.TryGetValue(key, out var set))
            {
                _byLength[key] = set = [];
            }
            if (set.Add(prefix.Network))
            {
                Count++;
            }
        }
    }

    public static AddressSet Empty { get; } = new([]);

    /// <summary>Distinct blocks held.</summary>
    public int Count { get; }

    public bool Contains(IPAddress address)
    {
        if (Count == 0)
        {
            return false; // the usual block list and allowlist: asked for every connection
        }
        address = CanonicalAddress.Of(address);
        bool v4 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        foreach (var (key, set) in _byLength)
        {
            if (v4 != (key < 1000))
            {
                continue;
            }
            if (set.Contains(NetworkPrefix.Mask(address, v4 ? key : key - 1000)))
            {
                return true;
            }
        }
        return false;
    }
}
