using System.Globalization;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>
/// high_send_rate: a process whose outbound bytes over the interval, divided by the interval's real length,
/// are strictly greater than bytes_per_sec_threshold.
/// A threshold of 0 is not a special "off" value: it means any process that sent at least one byte alerts
/// (the comparison stays strict, so a process that sent nothing never does). To switch the rule off, set a
/// threshold no process reaches.
/// Baseline-aware, like beacon: the bytes a process sends to destinations in its program's learned baseline are
/// counted apart (once the baseline is mature). When what it sent to destinations new to the program stays within the threshold, the rate is
/// its usual traffic running fast (a nightly backup to its usual server) and the alert is low; otherwise medium.
/// </summary>
/// <param name="baseline">The learned baseline; null = every destination is new (every alert medium).</param>
public sealed class HighSendRateDetector(long bytesPerSecondThreshold, LearnedBaseline? baseline = null) : IDetector
{
    public const string RuleName = "high_send_rate";

    /// <summary>Bytes each pid sent this interval to destinations outside its program's baseline.</summary>
    private readonly Dictionary<int, long> _sentToNew = [];

    public string Rule => RuleName;

    public AlertRecord? OnEvent(ConnectionEvent connectionEvent, in AlertContext context)
    {
        // While the baseline is still learning nothing is "usual" yet: everything it sends counts as new.
        // Bytes come from Traffic events and from a close's unreported remainder (DeltaSent): what the interval's sum counts.
        long sent = connectionEvent.DeltaSent;
        if (sent > 0 && (context.Baseline.IsLearning || baseline?.Contains(connectionEvent) != true))
        {
            _sentToNew[connectionEvent.Process.Pid] = _sentToNew.GetValueOrDefault(connectionEvent.Process.Pid) + sent;
        }
        return null;
    }

    public void OnIntervalEnd(ClosedInterval interval, AlertContext context, List<AlertRecord> alerts)
    {
        var seconds = interval.Window.TotalSeconds;
        if (seconds <= 0)
        {
            return; // a zero-length window has no rate; the next interval covers the bytes (and their split)
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
            long toNew = Math.Min(_sentToNew.GetValueOrDefault(process.Pid), process.BytesSent);
            bool usual = toNew / seconds <= bytesPerSecondThreshold;
            string where = usual
                ? string.Create(CultureInfo.InvariantCulture, $"; {HumanFormat.Bytes(process.BytesSent - toNew)} of it to destinations in its baseline")
                : string.Empty;
            alerts.Add(new AlertRecord
            {
                Timestamp = context.Now,
                Source = context.Source,
                Rule = RuleName,
                Severity = usual ? Severity.Low : Severity.Medium,
                Message = $"{process.Process.Name} (pid {process.Pid}) sent {HumanFormat.BytesPerSecond(rate)} " +
                          $"({process.BytesSent} bytes) over {HumanFormat.Duration(interval.Window)}, " +
                          $"threshold {HumanFormat.BytesPerSecond(bytesPerSecondThreshold)}{where}",
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
        _sentToNew.Clear();
    }
}
