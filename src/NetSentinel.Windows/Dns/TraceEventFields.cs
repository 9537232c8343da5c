using System.Runtime.Versioning;
using Microsoft.Diagnostics.Tracing;

namespace NetSentinel.Windows.Dns;

/// <summary>A TraceEvent event seen through <see cref="IEtwEventFields"/>; only valid inside the callback that received it.</summary>
[SupportedOSPlatform("windows")]
internal readonly struct TraceEventFields(TraceEvent data) : IEtwEventFields
{
    public Guid ProviderId => data.ProviderGuid;

    public int EventId => (int)data.ID;

    public int ProcessId => data.ProcessID;

    public DateTimeOffset Timestamp => new(data.TimeStamp.ToUniversalTime(), TimeSpan.Zero);

    public object? Field(string name) => data.PayloadByName(name);
}
