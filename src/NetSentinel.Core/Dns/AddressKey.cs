using System.Buffers.Binary;
using System.Net;

namespace NetSentinel.Core.Dns;

/// <summary>
/// An address as 16 bytes in a struct (no object per key): IPv4 as its IPv4-mapped IPv6 form, so an answer's
/// A record matches a connection made through an IPv6 socket to ::ffff:a.b.c.d.
/// </summary>
public readonly record struct AddressKey(ulong High, ulong Low)
{
    public static AddressKey From(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        var v6 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? address.MapToIPv6() : address;
        if (!v6.TryWriteBytes(bytes, out int written) || written != 16)
        {
            return default;
        }
        return new AddressKey(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }
}
