using NetSentinel.Windows.Dns;

namespace NetSentinel.Windows.Tests.Dns;

/// <summary>
/// A DNS-Client event as TraceEvent's manifest decoder hands it over: header values and the payload fields by their
/// manifest names, numbers boxed as the manifest types them (QueryType and QueryStatus UInt32, QueryOptions UInt64).
/// </summary>
internal sealed class RecordedDnsEvent(int eventId, int pid, DateTimeOffset timestamp, params (string Name, object Value)[] fields) : IEtwEventFields
{
    public Guid ProviderId { get; init; } = EtwDnsProvider.Id;

    public int EventId => eventId;

    public int ProcessId => pid;

    public DateTimeOffset Timestamp => timestamp;

    public object? Field(string name) => fields.FirstOrDefault(f => f.Name == name).Value;

    /// <summary>3006 with the Windows 10 template: QueryName, QueryType, QueryOptions, ServerList, IsNetworkQuery, ...</summary>
    public static RecordedDnsEvent Started(int pid, string name, uint type, DateTimeOffset at) => new(3006, pid, at,
        ("QueryName", name), ("QueryType", type), ("QueryOptions", 0x40026000UL), ("ServerList", ""), ("IsNetworkQuery", 0u),
        ("NetworkQueryIndex", 0u), ("InterfaceIndex", 0u), ("IsAsyncQuery", 0u));

    /// <summary>3008: QueryName, QueryType, QueryOptions, QueryStatus, QueryResults.</summary>
    public static RecordedDnsEvent Completed(int pid, string name, uint type, uint status, string results, DateTimeOffset at) => new(3008, pid, at,
        ("QueryName", name), ("QueryType", type), ("QueryOptions", 0x40026000UL), ("QueryStatus", status), ("QueryResults", results));
}
