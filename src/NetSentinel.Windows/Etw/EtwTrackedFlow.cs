using NetSentinel.Core.Model;

namespace NetSentinel.Windows.Etw;

/// <summary>What the mapper remembers about one outbound connection or UDP flow between events.</summary>
internal sealed class EtwTrackedFlow(ulong id, EtwFlowKey key, ProcessInfo process, DateTimeOffset openedAt)
{
    public ulong Id { get; } = id;
    public EtwFlowKey Key { get; } = key;
    public ProcessInfo Process { get; } = process;
    public DateTimeOffset OpenedAt { get; } = openedAt;
    public DateTimeOffset LastActivity { get; set; } = openedAt;
    /// <summary>The handshake is known to have completed (Connect seen, or bytes moved). An attempt seen only through
    /// Reconnect (SYN retries) is unconfirmed; if it ends that way it ends as Failed.</summary>
    public bool Confirmed { get; set; }
    public long PendingSent { get; set; }
    public long PendingReceived { get; set; }
    public long TotalSent { get; set; }
    public long TotalReceived { get; set; }
}
