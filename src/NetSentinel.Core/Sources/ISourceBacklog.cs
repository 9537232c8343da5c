namespace NetSentinel.Core.Sources;

/// <summary>
/// A source with a kernel queue that fills when the monitor falls behind (the eBPF ring buffer): how full it
/// is, for the metrics endpoint. Read from the metrics thread while the source runs.
/// </summary>
public interface ISourceBacklog
{
    /// <summary>Bytes queued and not yet consumed, and the queue's size; null when it cannot be read.</summary>
    (long Queued, long Capacity)? Backlog { get; }
}
