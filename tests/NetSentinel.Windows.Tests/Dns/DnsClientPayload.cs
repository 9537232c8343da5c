using System.Buffers.Binary;
using System.Text;
using NetSentinel.Windows.Dns;

namespace NetSentinel.Windows.Tests.Dns;

/// <summary>
/// DNS-Client event payloads laid out as the provider's manifest templates write them (UTF-16LE NUL-terminated
/// strings, little-endian integers), built by hand from the published templates: no Windows recording was available.
/// </summary>
internal static class DnsClientPayload
{
    /// <summary>3006: QueryName, QueryType, QueryOptions, ServerList, IsNetworkQuery, NetworkQueryIndex, InterfaceIndex, IsAsyncQuery.</summary>
    public static byte[] Started(string name, uint type) =>
        [.. Text(name), .. UInt32(type), .. UInt64(0x40026000), .. Text("198.51.100.53"), .. UInt32(1), .. UInt32(0), .. UInt32(7), .. UInt32(0)];

    /// <summary>3008: QueryName, QueryType, QueryOptions, QueryStatus, QueryResults.</summary>
    public static byte[] Completed(string name, uint type, uint status, string results) =>
        [.. Text(name), .. UInt32(type), .. UInt64(0x40026000), .. UInt32(status), .. Text(results)];

    public static EtwDnsRecord? Read(int eventId, byte[] payload, int pid = 4321, DateTimeOffset at = default) =>
        EtwDnsRecordReader.Read(EtwDnsProvider.Id, eventId, pid, payload, at);

    private static byte[] Text(string text) => [.. Encoding.Unicode.GetBytes(text), 0, 0];

    private static byte[] UInt32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] UInt64(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }
}
