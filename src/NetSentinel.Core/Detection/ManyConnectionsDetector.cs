using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>
/// many_connections: a process that held at least many_connections_threshold outbound TCP connections at
/// one time during the interval, or attempted at least that many (failed ones included: a port scan or a
/// dead C2 server rarely completes handshakes). Value is the larger of the two figures.
/// UDP flows do not count: they have no handshake, and not every source sees them end.
/// </summary>
public sealed class ManyConnectionsDetector(int threshold) : IDetector
{
    public const string RuleName = "many_connections";

    public string Rule => RuleName;

    public AlertRecord? OnEvent(ConnectionEvent connectionEvent, in AlertContext context) => null;

    public void OnIntervalEnd(ClosedInterval interval, AlertContext context, List<AlertRecord> alerts)
    {
        foreach (var process in interval.Processes)
        {
            var held = process.PeakOpenConnections;
            var attempted = process.Attempts;
            if (held < threshold && attempted < threshold)
            {
                continue;
            }
            var byConcurrency = held >= attempted;
            var finding = byConcurrency
                ? $"held {held} outbound connections at once"
                : $"attempted {attempted} connections ({process.Failures} failed)";
            alerts.Add(new AlertRecord
            {
                Timestamp = context.Now,
                Source = context.Source,
                Rule = RuleName,
                Severity = Severity.Medium,
                Message = $"{process.Process.Name} (pid {process.Pid}) {finding} in {HumanFormat.Duration(interval.Window)}, threshold {threshold}",
                Process = process.Process,
                Value = byConcurrency ? held : attempted,
                Threshold = threshold,
                Unit = "connections",
                Window = interval.Window,
                HostBytesSentPerSecond = interval.HostBytesSentPerSecond,
                EventsLostInWindow = context.EventsLostInWindow,
                BaselineSamplesSeen = context.Baseline.SamplesSeen,
                BaselineSamplesRequired = context.Baseline.SamplesRequired,
                MayPrecedeScan = !byConcurrency && process.Failures * 2 >= attempted,
            });
        }
    }
}
