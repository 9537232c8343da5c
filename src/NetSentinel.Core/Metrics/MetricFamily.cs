namespace NetSentinel.Core.Metrics;

/// <summary>
/// One metric name with its help text, type and label names; its samples are read when scraped,
/// on the metrics thread, from counters the monitor keeps anyway.
/// </summary>
public sealed record MetricFamily(string Name, string Help, MetricType Type, string[] LabelNames, Func<IEnumerable<MetricSample>> Read);
