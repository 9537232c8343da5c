using System.Net;
using System.Net.Sockets;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Configuration;

/// <summary>
/// An address block (198.51.100.0/24, 2001:db8::/64) or a single address (a /32 or /128), as the allow and
/// block lists hold them. IPv4-mapped IPv6 addresses are treated as the IPv4 address they carry.
/// </summary>
public readonly record struct NetworkPrefix(IPAddress Network, int Length)
{
    public bool IsIPv4 => Network.AddressFamily == AddressFamily.InterNetwork;

    /// <summary>Parses "a.b.c.d", "a.b.c.d/n", "x::y" or "x::y/n"; host bits after the prefix must be zero, as written blocks usually are.</summary>
    public static bool TryParse(string text, out NetworkPrefix prefix, out string problem)
    {
        prefix = default;
        text = text.Trim();
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out IPAddress? address) || addressText.Contains('%', StringComparison.Ordinal)
            || (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3))
        {
            problem = $"'{text}' is not an IP address or CIDR block";
            return false;
        }
        address = CanonicalAddress.Of(address);
        int bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int length = bits;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None,
                               System.Globalization.CultureInfo.InvariantCulture, out length) || length > bits))
        {
            problem = $"'{text}' has a bad prefix length (0 to {bits})";
            return false;
        }
        if (!Mask(address, length).Equals(address))
        {
            problem = $"'{text}' has bits set after the /{length} prefix (did you mean {Mask(address, length)}/{length}?)";
            return false;
        }
        prefix = new NetworkPrefix(address, length);
        problem = string.Empty;
        return true;
    }

    public bool Contains(IPAddress address)
    {
        address = CanonicalAddress.Of(address);
        return address.AddressFamily == Network.AddressFamily && Mask(address, Length).Equals(Network);
    }

    public override string ToString() => $"{Network}/{Length}";

    /// <summary>The address with every bit after the first <paramref name="length"/> cleared.</summary>
    public static IPAddress Mask(IPAddress address, int length)
    {
        byte[] bytes = CanonicalAddress.Of(address).GetAddressBytes();
        for (int i = 0; i < bytes.Length; i++)
        {
            int keep = Math.Clamp(length - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return new IPAddress(bytes);
    }
}
