using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>
/// high_send_rate: a process whose outbound bytes over the interval, divided by the interval's real length,
/// are strictly greater than bytes_per_sec_threshold.
/// A threshold of 0 is not a special "off" value: it means any process that sent at least one byte alerts
/// (the comparison stays strict, so a process that sent nothing never does). To switch the rule off, set a
/// threshold no process reaches.
/// </summary>
public sealed class HighSendRateDetector(long bytesPerSecondThreshold) : IDetector
{
    public const string RuleName = "high_send_rate";

    public string Rule => RuleName;

    public AlertRecord? OnEvent(ConnectionEvent connectionEvent, AlertContext context) => null;

    public void OnIntervalEnd(ClosedInterval interval, AlertContext context, List<AlertRecord> alerts)
    {
        var seconds = interval.Window.TotalSeconds;
        if (seconds <= 0)
        {
            return; // a zero-length window has no rate; the next interval covers the bytes
        }
        foreach (var process in interval.Processes)
        {
            if (process.BytesSent <= 0)
            {
                continue;
            }
            var rate = process.BytesSent / seconds;
            if (rate <= bytesPerSecondThreshold)
            {
                continue;
            }
            alerts.Add(new AlertRecord
            {
                Timestamp = context.Now,
                Source = context.Source,
                Rule = RuleName,
                Severity = Severity.Medium,
                Message = $"{process.Process.Name} (pid {process.Pid}) sent {HumanFormat.BytesPerSecond(rate)} " +
                          $"({process.BytesSent} bytes) over {HumanFormat.Duration(interval.Window)}, " +
                          $"threshold {HumanFormat.BytesPerSecond(bytesPerSecondThreshold)}",
                Process = process.Process,
                Value = rate,
                Threshold = bytesPerSecondThreshold,
                Unit = "bytes_per_second",
                Window = interval.Window,
                HostBytesSentPerSecond = interval.HostBytesSentPerSecond,
                EventsLostInWindow = context.EventsLostInWindow,
                BaselineSamplesSeen = context.Baseline.SamplesSeen,
                BaselineSamplesRequired = context.Baseline.SamplesRequired,
            });
        }
    }
}
