namespace NetSentinel.Windows.Dns;

/// <summary>
/// One Microsoft-Windows-DNS-Client event reduced to plain values on the ETW thread (like
/// <see cref="Etw.EtwNetworkRecord"/>), so the mapping is tested on Linux with recorded payloads.
/// </summary>
/// <param name="EventId">3006: a query started; 3008: a query completed (with its status and results).</param>
/// <param name="ProcessId">The event header's process id: the process that called the resolver.</param>
/// <param name="QueryName">The payload's QueryName.</param>
/// <param name="QueryType">The payload's QueryType (1 = A, 28 = AAAA, ...).</param>
/// <param name="QueryStatus">3008 only: the Win32/DNS status (0 success, 9003 name error, 9501 no records, ...).</param>
/// <param name="QueryResults">3008 only: the payload's QueryResults, e.g. "type:  5 edge.example.net;::ffff:192.0.2.7;".</param>
internal readonly record struct EtwDnsRecord(
    int EventId,
    int ProcessId,
    string QueryName,
    int QueryType,
    int QueryStatus,
    string QueryResults,
    DateTimeOffset Timestamp);
