using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>
/// One rule. It may react to each event as it arrives (for alerts that must not wait for the interval)
/// and to each interval's per-process figures. It only proposes alerts: the pipeline throttles and writes them.
/// </summary>
public interface IDetector
{
    /// <summary>Rule name as written in <c>rule.name</c>.</summary>
    string Rule { get; }

    /// <summary>Called for every event that passed the pipeline's filters; returns an alert or null.</summary>
    AlertRecord? OnEvent(ConnectionEvent connectionEvent, in AlertContext context);

    /// <summary>Called once per interval with the interval's figures; adds alerts to <paramref name="alerts"/>.</summary>
    void OnIntervalEnd(ClosedInterval interval, AlertContext context, List<AlertRecord> alerts);

    /// <summary>The process exited and no more of its events will come (<see cref="Sources.IConnectionEventSink.OnProcessEnded"/>).</summary>
    void OnProcessEnded(int pid, DateTimeOffset exitedAt)
    {
    }
}
