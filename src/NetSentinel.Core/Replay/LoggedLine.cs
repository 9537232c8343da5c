using NetSentinel.Core.Model;

namespace NetSentinel.Core.Replay;

/// <summary>What one log line contributes to a replay: a connection event, a loss counter, or nothing (alerts, snapshots).</summary>
public sealed record LoggedLine(DateTimeOffset Timestamp, string Source, ConnectionEvent? Event, long? TotalLost);
