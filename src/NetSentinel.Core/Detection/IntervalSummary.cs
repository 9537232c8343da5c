using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>What one interval amounted to, for display.</summary>
/// <param name="Processes">Processes active in the interval or holding connections, busiest sender first.</param>
/// <param name="Alerts">Alerts written since the previous interval ended (immediate ones included), at most
/// <see cref="DetectionPipeline.MaxAlertsKeptPerInterval"/>; <paramref name="AlertCount"/> is exact.</param>
public sealed record IntervalSummary(
    DateTimeOffset End,
    TimeSpan Window,
    IReadOnlyList<ProcessIntervalStats> Processes,
    BaselineProgress Baseline,
    IReadOnlyList<AlertRecord> Alerts,
    int AlertCount,
    long EventsLostInWindow,
    double? HostBytesSentPerSecond);
