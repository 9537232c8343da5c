namespace NetSentinel.Windows.Dns;

/// <summary>
/// What the DNS session asks of Microsoft-Windows-DNS-Client: its two per-query events at Informational level,
/// every keyword (the events' keywords differ between Windows releases), and an event-id filter so the provider's
/// other events (one per server tried, cache hits, ...) are not even written to the session's buffers.
/// The provider logs from inside the calling process (dnsapi.dll), so the event header's process id is the
/// program that resolved the name, as Sysmon's event 22 reports it.
/// </summary>
internal static class EtwDnsProvider
{
    public const string Name = "Microsoft-Windows-DNS-Client";
    public static readonly Guid Id = new("1c95126e-7eea-49a9-a3fe-a378b03ddb4d");

    /// <summary>TRACE_LEVEL_INFORMATION: the level of 3006 and 3008 in the provider's manifest.</summary>
    public const byte Level = 4;
    public const ulong MatchAnyKeywords = ulong.MaxValue;
    public static readonly IReadOnlyList<int> EventIds = [EtwDnsEventMapper.QueryStarted, EtwDnsEventMapper.QueryCompleted];
}
