using System.Globalization;
using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>
/// exfiltration: one program sending one destination address at least bytes_threshold bytes within a sliding
/// window (default an hour) while sending at least send_ratio times what it receives from it — a slow upload that
/// never trips the per-interval high_send_rate. A download (receive-heavy) never fires, nor does traffic to a
/// destination in the learned baseline (a nightly backup to its usual server). The imbalance is also judged
/// against the program's own history (its traffic to every other destination since start): once that history
/// is substantial, the pair must be <see cref="HistoryFactor"/> times more send-heavy than the program usually
/// is, so a program that always uploads is not flagged for uploading while one that normally downloads is.
/// Bytes come from Traffic events (interval deltas) and a close's unreported remainder. Alerts at once, at the event that crosses;
/// Value = bytes sent in the window.
/// Memory: <see cref="SlidingByteWindow.Buckets"/> buckets per (program, address), at most
/// <see cref="MaxTrackedPairs"/> pairs (the stalest dropped first); pairs idle a whole window are forgotten.
/// </summary>
public sealed class ExfiltrationDetector(TimeSpan window, long bytesThreshold, double sendRatio, LearnedBaseline baseline) : IDetector
{
    public const string RuleName = "exfiltration";
    public const int MaxTrackedPairs = 20_000;

    /// <summary>How much more send-heavy than its own history a pair must be.</summary>
    public const double HistoryFactor = 10;

    /// <summary>Traffic a program must have had elsewhere before its history is trusted as "usual".</summary>
    public const long MinHistoryBytes = 1_000_000;

    private readonly record struct PairKey(HashedProgram Program, IPAddress Address);

    private readonly Dictionary<PairKey, SlidingByteWindow> _pairs = [];
    private readonly TrafficHistory _history = new();

    public string Rule => RuleName;

    /// <summary>Windows dropped before their time because <see cref="MaxTrackedPairs"/> were held (their bytes are lost: counted, for the metrics).</summary>
    public long Evictions { get; private set; }

    public AlertRecord? OnEvent(ConnectionEvent connectionEvent, in AlertContext context)
    {
        long sent = Math.Max(0, connectionEvent.DeltaSent), received = Math.Max(0, connectionEvent.DeltaReceived);
        if (sent == 0 && received == 0)
        {
            return null;
        }
        var key = new PairKey(HashedProgram.Of(connectionEvent.Process), CanonicalAddress.Of(connectionEvent.Remote.Address));
        if (!_pairs.TryGetValue(key, out var bytes))
        {
            if (_pairs.Count >= MaxTrackedPairs)
            {
                DropStalest();
            }
            _pairs[key] = bytes = new SlidingByteWindow(window);
        }
        long before = bytes.Sent;
        bytes.Add(connectionEvent.Timestamp, sent, received);
        _history.Add(key.Program, key.Address, sent, received);

        // Alert at the crossing only; a standing upload re-alerts through the cooldown when it crosses again.
        if (bytes.Sent < bytesThreshold || before >= bytesThreshold)
        {
            return null;
        }
        if (bytes.Sent < sendRatio * bytes.Received || baseline.Contains(connectionEvent))
        {
            return null;
        }
        var (usualSent, usualReceived) = _history.Elsewhere(key.Program, key.Address);
        if (usualSent + usualReceived >= MinHistoryBytes
            && Imbalance(bytes.Sent, bytes.Received) < HistoryFactor * Imbalance(usualSent, usualReceived))
        {
            return null; // no more send-heavy than this program usually is
        }
        var remote = new IPEndPoint(key.Address, connectionEvent.Remote.Port);
        return new AlertRecord
        {
            Timestamp = context.Now,
            Source = context.Source,
            Rule = RuleName,
            Severity = Severity.High,
            Message = string.Create(CultureInfo.InvariantCulture,
                $"{connectionEvent.Process.Name} (pid {connectionEvent.Process.Pid}) sent {HumanFormat.Bytes(bytes.Sent)} to {key.Address} " +
                $"(received {HumanFormat.Bytes(bytes.Received)}) in {HumanFormat.Duration(window)}, threshold {HumanFormat.Bytes(bytesThreshold)} " +
                $"at {sendRatio:0.##}x more sent than received; destination not in the baseline"),
            Process = connectionEvent.Process,
            Value = bytes.Sent,
            Threshold = bytesThreshold,
            Unit = "bytes",
            Window = window,
            Transport = connectionEvent.Transport,
            Local = connectionEvent.Local,
            Remote = remote,
            EventsLostInWindow = context.EventsLostInWindow,
            BaselineSamplesSeen = context.Baseline.SamplesSeen,
            BaselineSamplesRequired = context.Baseline.SamplesRequired,
            WindowBytesSent = bytes.Sent,
            WindowBytesReceived = bytes.Received,
        };
    }

    public void OnIntervalEnd(ClosedInterval interval, AlertContext context, List<AlertRecord> alerts)
    {
        List<PairKey>? idle = null;
        foreach (var (key, bytes) in _pairs)
        {
            if (interval.End - bytes.LastSeen > window)
            {
                (idle ??= []).Add(key);
            }
        }
        if (idle is not null)
        {
            foreach (var key in idle)
            {
                _pairs.Remove(key);
            }
        }
    }

    /// <summary>Sent per byte received; +1 keeps a silent peer finite.</summary>
    private static double Imbalance(long sent, long received) => (double)sent / (received + 1);

    private void DropStalest()
    {
        PairKey? stalest = null;
        DateTimeOffset oldest = DateTimeOffset.MaxValue;
        foreach (var (key, bytes) in _pairs)
        {
            if (bytes.LastSeen < oldest)
            {
                (stalest, oldest) = (key, bytes.LastSeen);
            }
        }
        if (stalest is { } drop)
        {
            _pairs.Remove(drop);
            Evictions++;
        }
    }
}
