using System.Buffers.Binary;
using System.Text;

namespace NetSentinel.Windows.Dns;

/// <summary>
/// Reads a DNS-Client event's payload bytes into an <see cref="EtwDnsRecord"/> on the session's thread, by the layout
/// of the provider's manifest templates (no manifest lookup, no reflection: trim- and NativeAOT-safe):
/// 3006 is QueryName (UTF-16LE, NUL-terminated), QueryType (UInt32), QueryOptions (UInt64), then server and interface
/// fields we do not use; 3008 is QueryName, QueryType, QueryOptions, QueryStatus (UInt32), QueryResults (UTF-16LE, NUL-terminated).
/// The payload is bounded like a packet: a string without its NUL, or fields past the end, make no record.
/// </summary>
internal static class EtwDnsRecordReader
{
    /// <summary>QueryResults longer than this (in characters) are cut: the mapper keeps at most 32 answers anyway.</summary>
    public const int MaxResultsChars = 8192;
    private const int MaxNameChars = 1024;

    /// <summary>The record for a 3006 or 3008 payload; null for any other event or a payload that does not fit its template.</summary>
    public static EtwDnsRecord? Read(Guid providerId, int eventId, int processId, ReadOnlySpan<byte> payload, DateTimeOffset timestamp)
    {
        if (providerId != EtwDnsProvider.Id || eventId is not (EtwDnsEventMapper.QueryStarted or EtwDnsEventMapper.QueryCompleted))
        {
            return null;
        }
        if (!TryString(ref payload, MaxNameChars, out string name) || payload.Length < 4 + 8)
        {
            return null;
        }
        int type = (int)BinaryPrimitives.ReadUInt32LittleEndian(payload);
        payload = payload[12..]; // QueryType, QueryOptions
        if (eventId == EtwDnsEventMapper.QueryStarted)
        {
            return new EtwDnsRecord(eventId, processId, name, type, 0, string.Empty, timestamp);
        }
        if (payload.Length < 4)
        {
            return null;
        }
        int status = (int)BinaryPrimitives.ReadUInt32LittleEndian(payload);
        payload = payload[4..];
        if (!TryString(ref payload, MaxResultsChars, out string results))
        {
            return null;
        }
        return new EtwDnsRecord(eventId, processId, name, type, status, results, timestamp);
    }

    /// <summary>A NUL-terminated UTF-16LE string at the start of <paramref name="payload"/>, which is advanced past it;
    /// text beyond <paramref name="maxChars"/> is dropped (the field still ends at its NUL).</summary>
    private static bool TryString(ref ReadOnlySpan<byte> payload, int maxChars, out string text)
    {
        text = string.Empty;
        for (int at = 0; at + 1 < payload.Length; at += 2)
        {
            if (payload[at] == 0 && payload[at + 1] == 0)
            {
                text = Encoding.Unicode.GetString(payload[..Math.Min(at, 2 * maxChars)]);
                payload = payload[(at + 2)..];
                return true;
            }
        }
        return false;
    }
}
