using NetSentinel.Core.Model;

namespace NetSentinel.Core.Output;

/// <summary>One outbound connection as a --once snapshot saw it (<c>event.kind: "state"</c>, action connection_snapshot).</summary>
public sealed record ConnectionSnapshotRecord : LogRecord
{
    public required ConnectionRecord Connection { get; init; }
}
