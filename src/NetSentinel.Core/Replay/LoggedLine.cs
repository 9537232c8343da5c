using NetSentinel.Core.Dns;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Replay;

/// <summary>What one log line contributes to a replay: a connection event, a loss counter, a DNS query or answer, or
/// nothing (alerts, snapshots, other kinds).</summary>
public sealed record LoggedLine(DateTimeOffset Timestamp, string Source, ConnectionEvent? Event, long? TotalLost, DnsEvent? Dns = null)
{
    /// <summary>A line replay has no use for: blank, an alert, a snapshot row, or a kind or action it does not replay.</summary>
    public static LoggedLine Ignored { get; } = new(default, string.Empty, null, null);

    public bool IsIgnored => Event is null && TotalLost is null && Dns is null;
}
