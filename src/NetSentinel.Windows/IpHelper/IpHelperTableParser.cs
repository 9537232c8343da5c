using System.Buffers.Binary;
using System.Net;
using NetSentinel.Core.Model;

namespace NetSentinel.Windows.IpHelper;

/// <summary>
/// Decodes the buffers GetExtendedTcpTable / GetExtendedUdpTable fill in. Pure, so it is tested on Linux.
/// Layout (all DWORDs little-endian, as on every Windows target): a DWORD row count, then packed rows.
/// Addresses are in network byte order (the four or sixteen bytes as they appear on the wire);
/// ports are in network byte order in the low 16 bits of a DWORD, i.e. bytes 0-1 of the DWORD are
/// the port's high and low byte, bytes 2-3 are undefined and ignored. IPv6 scope ids: see <see cref="Address6"/>.
/// </summary>
internal static class IpHelperTableParser
{
    /// <summary>MIB_TCPROW_OWNER_PID: state, local addr, local port, remote addr, remote port, pid.</summary>
    public const int Tcp4RowSize = 24;
    /// <summary>MIB_TCP6ROW_OWNER_PID: local addr[16], local scope, local port, remote addr[16], remote scope, remote port, state, pid.</summary>
    public const int Tcp6RowSize = 56;
    /// <summary>MIB_UDPROW_OWNER_PID: local addr, local port, pid.</summary>
    public const int Udp4RowSize = 12;
    /// <summary>MIB_UDP6ROW_OWNER_PID: local addr[16], local scope, local port, pid.</summary>
    public const int Udp6RowSize = 28;
    private const int HeaderSize = 4; // dwNumEntries; rows are DWORD-aligned so they follow directly

    public static List<IpHelperSocketRow> ParseTcp4(ReadOnlySpan<byte> buffer)
    {
        var rows = new List<IpHelperSocketRow>();
        foreach (var row in Rows(buffer, Tcp4RowSize, "TCP (IPv4)"))
        {
            var bytes = buffer.Slice(row, Tcp4RowSize);
            rows.Add(new IpHelperSocketRow(
                Transport.Tcp,
                new IPEndPoint(new IPAddress(bytes.Slice(4, 4)), Port(bytes.Slice(8, 4))),
                new IPEndPoint(new IPAddress(bytes.Slice(12, 4)), Port(bytes.Slice(16, 4))),
                BinaryPrimitives.ReadUInt32LittleEndian(bytes),
                Pid(bytes.Slice(20, 4))));
        }
        return rows;
    }

    public static List<IpHelperSocketRow> ParseTcp6(ReadOnlySpan<byte> buffer)
    {
        var rows = new List<IpHelperSocketRow>();
        foreach (var row in Rows(buffer, Tcp6RowSize, "TCP (IPv6)"))
        {
            var bytes = buffer.Slice(row, Tcp6RowSize);
            rows.Add(new IpHelperSocketRow(
                Transport.Tcp,
                new IPEndPoint(Address6(bytes.Slice(0, 16), bytes.Slice(16, 4)), Port(bytes.Slice(20, 4))),
                new IPEndPoint(Address6(bytes.Slice(24, 16), bytes.Slice(40, 4)), Port(bytes.Slice(44, 4))),
                BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(48, 4)),
                Pid(bytes.Slice(52, 4))));
        }
        return rows;
    }

    public static List<IpHelperSocketRow> ParseUdp4(ReadOnlySpan<byte> buffer)
    {
        var rows = new List<IpHelperSocketRow>();
        foreach (var row in Rows(buffer, Udp4RowSize, "UDP (IPv4)"))
        {
            var bytes = buffer.Slice(row, Udp4RowSize);
            rows.Add(new IpHelperSocketRow(
                Transport.Udp,
                new IPEndPoint(new IPAddress(bytes.Slice(0, 4)), Port(bytes.Slice(4, 4))),
                new IPEndPoint(IPAddress.Any, 0),
                0,
                Pid(bytes.Slice(8, 4))));
        }
        return rows;
    }

    public static List<IpHelperSocketRow> ParseUdp6(ReadOnlySpan<byte> buffer)
    {
        var rows = new List<IpHelperSocketRow>();
        foreach (var row in Rows(buffer, Udp6RowSize, "UDP (IPv6)"))
        {
            var bytes = buffer.Slice(row, Udp6RowSize);
            rows.Add(new IpHelperSocketRow(
                Transport.Udp,
                new IPEndPoint(Address6(bytes.Slice(0, 16), bytes.Slice(16, 4)), Port(bytes.Slice(20, 4))),
                new IPEndPoint(IPAddress.IPv6Any, 0),
                0,
                Pid(bytes.Slice(24, 4))));
        }
        return rows;
    }

    /// <summary>Offsets of each row after checking that the buffer really holds as many rows as its header claims.</summary>
    private static List<int> Rows(ReadOnlySpan<byte> buffer, int rowSize, string table)
    {
        if (buffer.Length < HeaderSize)
            throw new IpHelperTableFormatException($"IP Helper {table} table: {buffer.Length} bytes is too short for its row-count header");
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
        long needed = HeaderSize + (long)count * rowSize;
        if (needed > buffer.Length)
            throw new IpHelperTableFormatException($"IP Helper {table} table: header says {count} rows ({needed} bytes) but the buffer holds {buffer.Length} bytes");
        var offsets = new List<int>((int)count);
        for (int i = 0; i < (int)count; i++) offsets.Add(HeaderSize + i * rowSize);
        return offsets;
    }

    private static int Port(ReadOnlySpan<byte> dword) => BinaryPrimitives.ReadUInt16BigEndian(dword);

    private static int Pid(ReadOnlySpan<byte> dword) => (int)BinaryPrimitives.ReadUInt32LittleEndian(dword);

    /// <summary>
    /// The scope id is in network byte order (MIB_TCP6ROW_OWNER_PID's documentation) and names a zone only
    /// for link-local addresses; elsewhere it is dropped, so <c>::1</c> stays loopback and the address matches
    /// the unscoped ones ETW reports. (Wine 8 fills it in for ::1 too: see the golden tables in the tests.)
    /// </summary>
    private static IPAddress Address6(ReadOnlySpan<byte> address, ReadOnlySpan<byte> scope)
    {
        var unscoped = new IPAddress(address);
        return unscoped.IsIPv6LinkLocal ? new IPAddress(address, BinaryPrimitives.ReadUInt32BigEndian(scope)) : unscoped;
    }
}
