using System.Collections.Concurrent;

namespace NetSentinel.Core.Metrics;

/// <summary>
/// A counter per combination of label values (alerts by rule and severity), incremented on the
/// monitor's thread and read by the metrics thread. Label values must come from a small fixed set
/// (rule names, kinds), never from what the monitor observes (addresses, process names).
/// </summary>
public sealed class LabelledCounter
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public void Increment(params string[] labelValues) => Add(1, labelValues);

    public void Add(long amount, params string[] labelValues)
    {
        string key = string.Join('\u0001', labelValues);
        var entry = _entries.GetOrAdd(key, static (_, values) => new Entry(values), labelValues);
        Interlocked.Add(ref entry.Count, amount);
    }

    /// <summary>The current value for these label values (0 if never incremented).</summary>
    public long Get(params string[] labelValues) =>
        _entries.TryGetValue(string.Join('\u0001', labelValues), out var entry) ? Interlocked.Read(ref entry.Count) : 0;

    public IEnumerable<MetricSample> Samples() =>
        _entries.Values.OrderBy(e => string.Join('\u0001', e.LabelValues), StringComparer.Ordinal)
            .Select(e => new MetricSample(Interlocked.Read(ref e.Count), e.LabelValues));

    private sealed class Entry(string[] labelValues)
    {
        public readonly string[] LabelValues = labelValues;
        public long Count;
    }
}
