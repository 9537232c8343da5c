namespace NetSentinel.Linux.Snapshot;

/// <summary>Cumulative bytes over all non-loopback interfaces since boot (counters of removed interfaces are gone).</summary>
public readonly record struct NetDevTotals(long BytesReceived, long BytesSent);
