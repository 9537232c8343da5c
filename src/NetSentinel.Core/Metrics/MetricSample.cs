namespace NetSentinel.Core.Metrics;

/// <summary>One value of a metric family, with its label values in the order of the family's label names.</summary>
public readonly record struct MetricSample(double Value, params string[] LabelValues);
