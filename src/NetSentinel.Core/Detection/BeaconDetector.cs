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
/// <param name="incidents">The incidents the pipeline folds alerts into: a connection whose alert its open incident would
/// only count is counted there without an alert being built (<see cref="IncidentTracker.TryCount"/>); null: every alert is built.</param>
public sealed class BeaconDetector(int minConnections, int history, double scoreThreshold, TimeSpan minPeriod,
    LearnedBaseline? baseline = null, HostDestinations? host = null, KnownDestinationSeverity known = KnownDestinationSeverity.Low,
    IncidentTracker? incidents = null) : IDetector
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
        // Scored on every connection of a series that may be a beacon: on the stack for any usual history (no garbage per connection).
        Span<long> startRoom = _history <= BeaconScore.StackLimit ? stackalloc long[BeaconScore.StackLimit] : new long[_history];
        Span<long> sizeRoom = _history <= BeaconScore.StackLimit ? stackalloc long[BeaconScore.StackLimit] : new long[_history];
        var starts = series.CopyStarts(startRoom);
        var score = BeaconScore.Of(starts, series.CopySizes(sizeRoom));
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
        var evidence = new BeaconEvidence(connectionEvent.Process, connectionEvent.Local, connectionEvent.Remote, key.Transport,
            connectionEvent.Names, context, score, scoreThreshold, starts.Length, new DateTimeOffset(starts[0], TimeSpan.Zero),
            new DateTimeOffset(starts[^1], TimeSpan.Zero), series.Observations, inBaseline, firstSeenOnHost, severity);
        // An open incident that would only count this alert counts it in place: no alert object per connection.
        return incidents?.TryCount(evidence, context.Now) == true ? null : evidence.ToAlert();
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
