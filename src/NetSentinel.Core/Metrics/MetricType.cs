namespace NetSentinel.Core.Metrics;

/// <summary>The Prometheus metric types the monitor exposes.</summary>
public enum MetricType
{
    /// <summary>Only goes up (resets when the monitor restarts); names end in <c>_total</c>.</summary>
    Counter,

    /// <summary>A value that goes up and down: tracked flows, queue fill, memory.</summary>
    Gauge,
}
