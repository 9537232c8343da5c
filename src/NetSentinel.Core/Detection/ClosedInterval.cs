namespace NetSentinel.Core.Detection;

/// <summary>An interval that has just ended, as the interval detectors see it.</summary>
public sealed record ClosedInterval(
    DateTimeOffset End,
    TimeSpan Window,
    IReadOnlyCollection<ProcessActivity> Processes,
    double? HostBytesSentPerSecond);
