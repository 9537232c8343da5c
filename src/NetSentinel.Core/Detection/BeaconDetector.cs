using System.Globalization;
using System.Net;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>
/// beacon: one program (by executable, so a beacon re-spawned by cron each time is still one series) connecting to one (address, port, transport) at regular times with regular sizes — how
/// implants call home. Each connection start (Opened, and for UDP each new session: Resumed) is added to a bounded history; once min_connections are held,
/// the series is scored with <see cref="BeaconScore"/> on every new connection, and a score at or above the
/// threshold — with the timing part alone at or above it too — alerts (Value = score, Threshold, Unit "score", Window = the span of the history). Sizes are the
/// lifetime bytes of each closed connection. A median gap below min_period_seconds is a burst, not a beacon.
/// Memory: history entries per key; at most <see cref="MaxTrackedSeries"/> keys, the stalest dropped first, and
/// keys idle for longer than <see cref="IdleForget"/> are forgotten at interval ends.
/// </summary>
/// <param name="baseline">The learned baseline: a destination in the program's is "known" (severity per <paramref name="known"/>).</param>
/// <param name="host">Host-wide rarity: a destination no other program has reached makes the beacon high.</param>
public sealed class BeaconDetector(int minConnections, int history, double scoreThreshold, TimeSpan minPeriod,
    LearnedBaseline? baseline = null, HostDestinations? host = null, KnownDestinationSeverity known = KnownDestinationSeverity.Low) : IDetector
{
    public const string RuleName = "beacon";
    public const int MaxTrackedSeries = 20_000;
    public static readonly TimeSpan IdleForget = TimeSpan.FromHours(6);

    /// <summary>A named destination is keyed by its name (Address then <see cref="IPAddress.None"/>), so a beacon whose
    /// address rotates behind one name stays one series.</summary>
    private readonly record struct SeriesKey(HashedProgram Program, string? Domain, IPAddress Address, int Port, Transport Transport);

    private readonly Dictionary<SeriesKey, BeaconHistory> _series = [];
    private readonly int _history = Math.Max(history, minConnections);

    public string Rule => RuleName;

    /// <summary>Series dropped before their time because <see cref="MaxTrackedSeries"/> were held (their history is lost: counted, for the metrics).</summary>
    public long Evictions { get; private set; }

    public AlertRecord? OnEvent(ConnectionEvent connectionEvent, in AlertContext context)
    {
        string? domain = connectionEvent.Names?.Domain;
        var key = new SeriesKey(HashedProgram.Of(connectionEvent.Process), domain,
            domain is null ? CanonicalAddress.Of(connectionEvent.Remote.Address) : IPAddress.None, connectionEvent.Remote.Port, connectionEvent.Transport);
        if (connectionEvent.Kind == ConnectionEventKind.Closed)
        {
            if (_series.TryGetValue(key, out var closing))
            {
                closing.AddSize(connectionEvent.BytesSent + connectionEvent.BytesReceived);
            }
            return null;
        }
        // A UDP flow's later sessions (sent again after being idle) are its rhythm: a UDP beacon has no connects.
        if (connectionEvent.Kind is not (ConnectionEventKind.Opened or ConnectionEventKind.Resumed))
        {
            return null;
        }
        if (!_series.TryGetValue(key, out var series))
        {
            if (_series.Count >= MaxTrackedSeries)
            {
                DropStalest();
            }
            _series[key] = series = new BeaconHistory(_history);
        }
        series.AddStart(connectionEvent.Timestamp);
        if (series.Count < minConnections || CannotReachMinPeriod(series))
        {
            return null;
        }
        var times = series.Times;
        var sizes = series.Sizes;
        var score = BeaconScore.Of(times, sizes.Count > 0 ? sizes : null);
        // Timing must be regular on its own: identical sizes alone (every curl of one URL) do not make a beacon.
        if (score.Score < scoreThreshold || score.TimingScore < scoreThreshold || score.Period < minPeriod)
        {
            return null;
        }
        // Baseline-aware severity: the program's usual server is low (or nothing), a place new to it medium,
        // and a place no program on this host had reached high.
        bool inBaseline = baseline?.Contains(connectionEvent) == true;
        bool? firstSeenOnHost = inBaseline ? false : host?.IsFirstSeenBy(connectionEvent);
        if (inBaseline && known == KnownDestinationSeverity.Ignore)
        {
            return null;
        }
        var severity = inBaseline
            ? known == KnownDestinationSeverity.Alert ? Severity.Medium : Severity.Low
            : firstSeenOnHost == true ? Severity.High : Severity.Medium;
        string novelty = inBaseline ? "a destination in its baseline"
            : firstSeenOnHost == true ? "a destination new to every program on this host"
            : "a destination new to the program";
        var remote = new IPEndPoint(CanonicalAddress.Of(connectionEvent.Remote.Address), key.Port);
        TimeSpan span = times[^1] - times[0];
        string transport = TransportNames.Of(key.Transport);
        return new AlertRecord
        {
            Timestamp = context.Now,
            Source = context.Source,
            Rule = RuleName,
            Severity = severity,
            Message = string.Create(CultureInfo.InvariantCulture,
                $"{connectionEvent.Process.Name} (pid {connectionEvent.Process.Pid}) {(key.Transport == Transport.Udp ? "sends to" : "connects to")} {(domain is null ? string.Empty : domain + " ")}{remote} ({transport}, {novelty}) every {HumanFormat.Duration(score.Period)}: " +
                $"beacon score {score.Score:0.00} (timing {score.TimingScore:0.00}{(score.SizeScore is { } s ? $", size {s:0.00}" : string.Empty)}) " +
                $"over {times.Count} connections in {HumanFormat.Duration(span)} ({series.Observations} observed), threshold {scoreThreshold:0.##}"),
            Process = connectionEvent.Process,
            Value = Math.Round(score.Score, 4),
            Threshold = scoreThreshold,
            Unit = "score",
            Window = span,
            Transport = key.Transport,
            Local = connectionEvent.Local,
            Remote = remote,
            EventsLostInWindow = context.EventsLostInWindow,
            BaselineSamplesSeen = context.Baseline.SamplesSeen,
            BaselineSamplesRequired = context.Baseline.SamplesRequired,
            PeriodSeconds = score.Period.TotalSeconds,
            Observations = series.Observations,
            ActivityStart = times[0],
            FirstSeenOnHost = firstSeenOnHost,
            Names = connectionEvent.Names, // the series' (and so the incident's) key when it has a name
        };
    }

    /// <summary>
    /// An O(1) test that spares scoring a burst (a connect storm adds thousands of starts a second to one
    /// series): the period is the median gap, and at least ⌊gaps/2⌋ gaps are at or above the median, so the
    /// history's span is at least ⌊gaps/2⌋ × period. A span shorter than ⌊gaps/2⌋ × min period therefore
    /// means a period below the minimum, which never alerts. A millisecond of slack keeps this exact.
    /// </summary>
    private bool CannotReachMinPeriod(BeaconHistory series)
    {
        int halfTheGaps = (series.Count - 1) / 2;
        return series.LastSeen - series.FirstStart < (minPeriod * halfTheGaps) - TimeSpan.FromMilliseconds(1);
    }

    public void OnIntervalEnd(ClosedInterval interval, AlertContext context, List<AlertRecord> alerts)
    {
        List<SeriesKey>? idle = null;
        foreach (var (key, series) in _series)
        {
            if (interval.End - series.LastSeen > IdleForget)
            {
                (idle ??= []).Add(key);
            }
        }
        if (idle is not null)
        {
            foreach (var key in idle)
            {
                _series.Remove(key);
            }
        }
    }

    private void DropStalest()
    {
        SeriesKey? stalest = null;
        DateTimeOffset oldest = DateTimeOffset.MaxValue;
        foreach (var (key, series) in _series)
        {
            if (series.LastSeen < oldest)
            {
                (stalest, oldest) = (key, series.LastSeen);
            }
        }
        if (stalest is { } drop)
        {
            _series.Remove(drop);
            Evictions++;
        }
    }
}
