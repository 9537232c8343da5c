namespace NetSentinel.Core.Sources;

/// <summary>
/// A source that can say why it lost events (the eBPF source: kernel ring buffer full, kernel map full,
/// records refused, flows user space could not track). The counts add up to <see cref="IConnectionSource.EventsLost"/>.
/// Read from the metrics thread while the source runs: implementations read counters that are safe to read concurrently.
/// </summary>
public interface IEventLossCauses
{
    /// <summary>Cause names (metric label values, fixed) and the events lost for each since the start.</summary>
    IReadOnlyList<KeyValuePair<string, long>> EventsLostByCause();
}
