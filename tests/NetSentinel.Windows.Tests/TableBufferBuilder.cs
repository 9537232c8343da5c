using System.Net;

namespace NetSentinel.Windows.Tests;

/// <summary>Builds IP Helper table buffers byte by byte, the way iphlpapi lays them out on little-endian Windows.</summary>
internal sealed class TableBufferBuilder
{
    private readonly List<byte> _bytes = new();

    public TableBufferBuilder(uint rowCount) => Dword(rowCount);

    /// <summary>A host-order DWORD, little-endian.</summary>
    public TableBufferBuilder Dword(uint value)
    {
        _bytes.Add((byte)value);
        _bytes.Add((byte)(value >> 8));
        _bytes.Add((byte)(value >> 16));
        _bytes.Add((byte)(value >> 24));
        return this;
    }

    /// <summary>A port as iphlpapi stores it: network order in the low 16 bits of a DWORD; the upper bytes are junk we must ignore.</summary>
    public TableBufferBuilder Port(int port)
    {
        _bytes.Add((byte)(port >> 8));
        _bytes.Add((byte)port);
        _bytes.Add(0xAB);
        _bytes.Add(0xCD);
        return this;
    }

    /// <summary>An IPv6 scope id as the tables carry it: network byte order (big-endian), unlike the other DWORDs.</summary>
    public TableBufferBuilder Scope(uint scopeId)
    {
        _bytes.Add((byte)(scopeId >> 24));
        _bytes.Add((byte)(scopeId >> 16));
        _bytes.Add((byte)(scopeId >> 8));
        _bytes.Add((byte)scopeId);
        return this;
    }

    /// <summary>Address bytes in network order (4 for IPv4, 16 for IPv6).</summary>
    public TableBufferBuilder Address(string address)
    {
        _bytes.AddRange(IPAddress.Parse(address).GetAddressBytes());
        return this;
    }

    public byte[] Build() => _bytes.ToArray();
}
