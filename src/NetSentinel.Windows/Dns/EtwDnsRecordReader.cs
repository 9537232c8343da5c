using System.Globalization;

namespace NetSentinel.Windows.Dns;

/// <summary>
/// Copies a DNS-Client event's fields into an <see cref="EtwDnsRecord"/> on the session's thread. Field names are the
/// manifest's (QueryName, QueryType, QueryStatus, QueryResults); numbers are read whatever integer type the decoder
/// boxed them as. Anything else (another provider, another event, a payload without a name) is no record.
/// </summary>
internal static class EtwDnsRecordReader
{
    public static EtwDnsRecord? Read(IEtwEventFields fields)
    {
        if (fields.ProviderId != EtwDnsProvider.Id || !EtwDnsProvider.EventIds.Contains(fields.EventId) || fields.Field("QueryName") is not string name)
        {
            return null;
        }
        bool completed = fields.EventId == EtwDnsEventMapper.QueryCompleted;
        return new EtwDnsRecord(
            fields.EventId,
            fields.ProcessId,
            name,
            Number(fields.Field("QueryType"), absent: 0),
            // A completion that does not say how it went is not taken as a success (SERVFAIL, no answers).
            completed ? Number(fields.Field("QueryStatus"), absent: -1) : 0,
            completed ? fields.Field("QueryResults") as string ?? string.Empty : string.Empty,
            fields.Timestamp);
    }

    /// <summary>An unsigned 32-bit field as an int (types and statuses stay below 2^31); <paramref name="absent"/> when
    /// the field is missing or not a number.</summary>
    private static int Number(object? value, int absent) => value switch
    {
        int number => number,
        uint number => unchecked((int)number),
        long number => unchecked((int)number),
        ulong number => unchecked((int)number),
        ushort number => number,
        short number => number,
        string text when int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number) => number,
        _ => absent,
    };
}
