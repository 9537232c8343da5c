using NetSentinel.Core.Configuration;
using NetSentinel.Core.Dns;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;
using NetSentinel.Core.Sources;

namespace NetSentinel.Core.Detection;

/// <summary>
/// The one place events meet detectors: filters events, aggregates them per process, runs the immediate
/// detector on each event and the interval detectors at each interval end, folds the alerts into incidents and writes their lines,
/// optionally logs connections, learns the baseline and reports lost events.
/// Single-threaded, like the sources that call it.
/// </summary>
public sealed class DetectionPipeline : IConnectionEventSink
{
    /// <summary>Alerts kept for the interval summary; more are still written and counted, just not kept for display.</summary>
    public const int MaxAlertsKeptPerInterval = 1000;

    private readonly MonitorConfig _config;
    private readonly IRecordSink _output;
    private readonly string _sourceName;
    private readonly TimeProvider _clock;
    private readonly ProcessActivityAggregator _aggregator = new();
    private readonly NewDestinationDetector _newDestinations;
    private readonly ExfiltrationDetector _exfiltration;
    private readonly IDetector[] _detectors;
    private readonly BlocklistDetector _blocklist;
    private readonly Allowlist _allowlist;
    private readonly IncidentTracker _incidents;
    private readonly BeaconDetector _beacon;
    private readonly List<AlertRecord> _lines = [];
    private readonly EventsLostReporter _eventsLost;
    private readonly DomainBlocklistDetector _blockedDomains;
    private readonly DnsTunnelDetector _dnsTunnel;
    private readonly List<AlertRecord> _intervalAlerts = [];
    private readonly List<AlertRecord> _proposed = [];
    private int _intervalAlertCount;
    private DateTimeOffset? _lastIntervalEnd;
    private bool _inDrain;
    private int _eventsLeftOnClockRead; // events that may still use _drainNow (inside a drain only)
    private DateTimeOffset _drainNow;

    /// <summary>
    /// Inside a drain (<see cref="BeginDrain"/> to <see cref="EndDrain"/>), how many events share one reading of the clock
    /// as their "now" (the alert time, the lag): reading it for every event was ~7 % of the monitor's CPU in a connect storm
    /// (two events a connection). 256 events are ~0.3 ms of the monitor's work, the most an alert's time can lag behind
    /// the moment it was raised.
    /// </summary>
    public const int EventsPerClockRead = 256;

    /// <param name="learnBaseline">False for --no-baseline: nothing is learned, every destination not seen
    /// earlier in this run is new from the first event.</param>
    /// <param name="baseline">The learned baseline to start from (loaded from baseline.state_file); null = an empty one
    /// with the configured prefixes. Its <see cref="LearnedBaseline.SamplesSeen"/> counts toward baseline_samples.</param>
    /// <param name="blocklist">Addresses whose connections raise blocklisted_destination; null = none.</param>
    /// <param name="blockedDomains">Names whose queries and connections raise blocklisted_destination; null = none.</param>
    public DetectionPipeline(MonitorConfig config, IRecordSink output, string sourceName, TimeProvider clock, bool learnBaseline,
        LearnedBaseline? baseline = null, AddressSet? blocklist = null, DomainBlocklist? blockedDomains = null)
    {
        _config = config;
        _output = output;
        _sourceName = sourceName;
        _clock = clock;
        Baseline = baseline ?? new LearnedBaseline(config.BaselineIPv4Prefix, config.BaselineIPv6Prefix);
        int required = !learnBaseline || config.BaselineMode == BaselineMode.Enforce ? 0 : config.BaselineSamples;
        BaselineProgress = new BaselineProgress(Math.Min(Baseline.SamplesSeen, required), required);
        HostDestinations = new HostDestinations(Baseline);
        _newDestinations = new NewDestinationDetector(clock.GetUtcNow(), Baseline,
            learnOnly: learnBaseline && config.BaselineMode == BaselineMode.Learn, host: HostDestinations);
        _incidents = new IncidentTracker(config.AlertCooldown > config.Interval ? config.AlertCooldown : config.Interval, config.IncidentQuiet, clock.GetUtcNow(), config.Interval);
        _exfiltration = new ExfiltrationDetector(config.ExfiltrationWindow, config.ExfiltrationBytesThreshold, config.ExfiltrationSendRatio, Baseline);
        _detectors =
        [
            new HighSendRateDetector(config.BytesPerSecThreshold, Baseline),
            _newDestinations,
            new ManyConnectionsDetector(config.ManyConnectionsThreshold),
            new ScanDetector(config.ScanWindow, config.ScanDistinctHostsThreshold, config.ScanDistinctPortsThreshold),
            _beacon = new BeaconDetector(config.BeaconMinConnections, config.BeaconHistory, config.BeaconScoreThreshold,
                TimeSpan.FromSeconds(config.BeaconMinPeriodSeconds), Baseline, HostDestinations, config.BeaconKnownDestinations, _incidents),
            _exfiltration,
        ];
        _blocklist = new BlocklistDetector(blocklist ?? AddressSet.Empty);
        _allowlist = new Allowlist(config);
        _eventsLost = new EventsLostReporter(output, sourceName, config.Interval);
        // A ceiling below the floor means the floor: both are bounds on one lifetime.
        Names = new DnsNameCache(config.DnsCacheEntries, TimeSpan.FromSeconds(config.DnsTtlFloorSeconds),
            TimeSpan.FromSeconds(Math.Max(config.DnsTtlFloorSeconds, config.DnsTtlCeilingSeconds)), clock.GetUtcNow());
        _blockedDomains = new DomainBlocklistDetector(blockedDomains ?? DomainBlocklist.Empty);
        _dnsTunnel = new DnsTunnelDetector(config.DnsTunnelDistinctNames, TimeSpan.FromSeconds(config.DnsTunnelWindowSeconds));
    }

    /// <summary>Address → names learned from the DNS answers processes received.</summary>
    public DnsNameCache Names { get; }

    /// <summary>DNS messages the source captured that could not be parsed (hostile or broken); never acted on.</summary>
    public long DnsMessagesMalformed { get; private set; }

    /// <summary>DNS messages parsed and used (queries and answers).</summary>
    public long DnsMessagesSeen { get; private set; }

    public BaselineProgress BaselineProgress { get; private set; }

    /// <summary>Host-wide rarity: which program first reached each destination (first_seen_on_host).</summary>
    public HostDestinations HostDestinations { get; }

    /// <summary>The learned baseline (address blocks per program) that baseline.state_file persists.</summary>
    public LearnedBaseline Baseline { get; }

    /// <summary>Destinations learned so far (the baseline, plus those alerted on since): what --baseline-only shows.</summary>
    public IReadOnlyCollection<DestinationKey> LearnedDestinations => _newDestinations.Known;

    /// <summary>Alerts written since the pipeline started.</summary>
    public long AlertsWritten { get; private set; }

    /// <summary>Events the source lost since the start, as of the last interval end.</summary>
    public long EventsLost => _eventsLost.TotalLost;

    /// <summary>Processes held in memory (active this interval or holding a connection): its bound can be watched.</summary>
    public int TrackedProcessCount => _aggregator.Count;

    /// <summary>Outbound TCP connections currently tracked as open.</summary>
    public int OpenConnectionCount => _aggregator.OpenConnectionCount;

    /// <summary>Counts for the metrics endpoint, kept as the pipeline runs.</summary>
    public DetectionCounters Counters { get; } = new();

    /// <summary>
    /// Nothing here keeps an event (detectors keep keys, the aggregator the process; an event with names is a copy), except a
    /// connection's log record, which holds its event until the outputs have written it.
    /// </summary>
    public bool KeepsNoEvent => !_config.LogConnections;

    public void OnEvent(ConnectionEvent connectionEvent)
    {
        ArgumentNullException.ThrowIfNull(connectionEvent);
        Counters.Received(connectionEvent.Kind);
        if (connectionEvent.IsLoopback && !_config.IncludeLoopback)
        {
            Counters.Ignored(loopback: true);
            return;
        }
        // Traffic events feed the per-process sums only; alerts made from them get their names in Emit.
        if (connectionEvent.Kind != ConnectionEventKind.Traffic && connectionEvent.Names is null &&
            Names.Lookup(connectionEvent.Process.Pid, connectionEvent.Remote.Address, connectionEvent.Timestamp) is { } names)
        {
            connectionEvent = connectionEvent with { Names = names };
        }
        // Allowlisted traffic is ignored entirely — not aggregated, logged or scored — except by the block list:
        // a destination named as bad outranks a program or port named as trusted.
        bool allowed = _allowlist.Allows(connectionEvent);
        if (allowed)
        {
            Counters.Ignored(loopback: false);
        }
        else
        {
            Counters.Analysed(connectionEvent.Kind);
            _aggregator.Add(connectionEvent);
            if (_config.LogConnections && connectionEvent.Kind != ConnectionEventKind.Traffic)
            {
                _output.Write(new ConnectionLogRecord { Timestamp = connectionEvent.Timestamp, Source = _sourceName, Event = connectionEvent });
            }
        }
        var context = new AlertContext(_sourceName, EventNow(), _eventsLost.TotalLost, BaselineProgress);
        // Traffic is stamped at the interval's end. In a drain the lag is measured against the clock read at the first event
        // of its batch (EventNow): exact for that event, the drain's oldest as records come in order; a later event's lag can
        // only read short, by at most the batch's own processing time, and never sets the maximum.
        if (connectionEvent.Kind != ConnectionEventKind.Traffic) Counters.Lag(context.Now - connectionEvent.Timestamp);
        if (_blocklist.OnEvent(connectionEvent, context) is { } blocked)
        {
            Emit(blocked, context.Now);
        }
        else if (_blockedDomains.OnConnection(connectionEvent, context) is { } blockedName)
        {
            Emit(blockedName, context.Now);
        }
        if (allowed)
        {
            return;
        }
        foreach (var detector in _detectors)
        {
            if (detector.OnEvent(connectionEvent, context) is { } alert)
            {
                Emit(alert, context.Now);
            }
        }
    }

    /// <summary>A process is gone for good: the detectors drop what they kept of it for a window, and its incidents close at the interval end.</summary>
    public void OnProcessEnded(int pid, DateTimeOffset exitedAt)
    {
        foreach (var detector in _detectors)
        {
            detector.OnProcessEnded(pid, exitedAt);
        }
        _incidents.OnProcessEnded(pid, exitedAt);
    }

    /// <summary>
    /// A DNS query or answer: answers teach the name cache; with log_connections both are logged; queries are
    /// checked against the domain block list and counted for dns_tunnel. A malformed message is only counted.
    /// </summary>
    public void OnDns(DnsEvent dnsEvent)
    {
        ArgumentNullException.ThrowIfNull(dnsEvent);
        Counters.ReceivedDns(malformed: dnsEvent.Message is null);
        if (dnsEvent.Message is not { } message)
        {
            DnsMessagesMalformed++;
            return;
        }
        DnsMessagesSeen++;
        if (message.IsResponse)
        {
            Names.Add(dnsEvent.Process.Pid, message, dnsEvent.Timestamp);
        }
        if (_config.LogConnections)
        {
            _output.Write(new DnsLogRecord { Timestamp = dnsEvent.Timestamp, Source = _sourceName, Event = dnsEvent, Message = message });
        }
        if (message.IsResponse)
        {
            return;
        }
        var context = new AlertContext(_sourceName, EventNow(), _eventsLost.TotalLost, BaselineProgress);
        if (_blockedDomains.OnQuery(dnsEvent, message, context) is { } blocked)
        {
            Emit(blocked, context.Now);
        }
        if (_dnsTunnel.OnQuery(dnsEvent, message, context) is { } tunnel)
        {
            Emit(tunnel, context.Now);
        }
    }

    /// <summary>
    /// Closes the interval that ends at <paramref name="now"/>: runs the interval detectors over it, advances
    /// the baseline, reports lost events, and starts the next interval.
    /// </summary>
    /// <param name="eventsLostTotal">The source's loss counter (total since it started).</param>
    /// <param name="hostBytesSentPerSecond">Host-wide send rate over all interfaces, when measured.</param>
    public IntervalSummary EndInterval(DateTimeOffset now, long eventsLostTotal, double? hostBytesSentPerSecond)
    {
        // The window is the interval's real length: a late or early tick changes the rate's denominator too.
        var window = _lastIntervalEnd is { } previous ? now - previous : _config.Interval;
        _lastIntervalEnd = now;
        var lostInWindow = _eventsLost.Report(eventsLostTotal, now);

        var interval = new ClosedInterval(now, window, _aggregator.Processes, hostBytesSentPerSecond);
        var context = new AlertContext(_sourceName, now, lostInWindow, BaselineProgress);
        _proposed.Clear();
        foreach (var detector in _detectors)
        {
            detector.OnIntervalEnd(interval, context, _proposed);
        }
        var throttleNow = _clock.GetUtcNow();
        foreach (var alert in _proposed)
        {
            Emit(alert, throttleNow);
        }
        _incidents.Tick(throttleNow, _lines);
        WriteLines();

        if (BaselineProgress.IsLearning)
        {
            BaselineProgress = BaselineProgress with { SamplesSeen = BaselineProgress.SamplesSeen + 1 };
            Baseline.SamplesSeen = BaselineProgress.SamplesSeen;
            Baseline.MarkChanged();
        }

        var summary = new IntervalSummary(
            now,
            window,
            Summarize(window),
            BaselineProgress,
            [.. _intervalAlerts],
            _intervalAlertCount,
            lostInWindow,
            hostBytesSentPerSecond);

        _intervalAlerts.Clear();
        _intervalAlertCount = 0;
        _aggregator.StartInterval();
        Names.Purge(now);
        return summary;
    }

    /// <summary>
    /// A drain of the source starts: until <see cref="EndDrain"/>, events take their "now" from one reading of the clock per
    /// <see cref="EventsPerClockRead"/> events, taken when the first of them arrives (so a drain that first waits for records
    /// does not date them from before the wait). Outside a drain (replay, a test feeding events) each event reads the clock.
    /// </summary>
    public void BeginDrain()
    {
        _inDrain = true;
        _eventsLeftOnClockRead = 0;
    }

    /// <summary>The time an event is handled at: the clock, read once per batch of events inside a drain (<see cref="BeginDrain"/>).</summary>
    private DateTimeOffset EventNow()
    {
        if (!_inDrain)
        {
            return _clock.GetUtcNow();
        }
        if (_eventsLeftOnClockRead == 0)
        {
            _drainNow = _clock.GetUtcNow();
            _eventsLeftOnClockRead = EventsPerClockRead;
        }
        _eventsLeftOnClockRead--;
        return _drainNow;
    }

    /// <summary>The source's drain ended: the output writes this drain's lines now, in one write per output.</summary>
    public void EndDrain()
    {
        _inDrain = false;
        _output.Flush();
        Counters.Publish(_incidents.OpenCount, _aggregator.Count, _aggregator.OpenConnectionCount, Names.Count, Names.Evictions);
        Counters.PublishEvictions(_incidents.Evictions, _beacon.Evictions, _exfiltration.Evictions);
    }

    /// <summary>Writes anything held back (lost-event counts waiting for the rate limit); call at shutdown.</summary>
    public void Flush(DateTimeOffset now)
    {
        _incidents.CloseAll(now, _lines);
        WriteLines();
        _eventsLost.Flush(now);
    }

    /// <summary>Incidents open now (alerts folded per process and behaviour, not yet closed).</summary>
    public int OpenIncidentCount => _incidents.OpenCount;

    private void Emit(AlertRecord alert, DateTimeOffset now)
    {
        if (alert.Names is null && alert.QueriedName is null && alert.Remote is { } remote &&
            Names.Lookup(alert.Process.Pid, remote.Address, now) is { } names)
        {
            alert = alert with { Names = names };
        }
        _incidents.Add(alert, now, _lines);
        WriteLines();
    }

    /// <summary>Writes the alert lines the incidents produced: openings, updates, closings.</summary>
    private void WriteLines()
    {
        foreach (var line in _lines)
        {
            _output.Write(line);
            AlertsWritten++;
            Counters.AlertWritten(line);
            _intervalAlertCount++;
            if (_intervalAlerts.Count < MaxAlertsKeptPerInterval)
            {
                _intervalAlerts.Add(line);
            }
        }
        _lines.Clear();
    }

    private List<ProcessIntervalStats> Summarize(TimeSpan window)
    {
        var seconds = window.TotalSeconds;
        var stats = new List<ProcessIntervalStats>(_aggregator.Count);
        foreach (var p in _aggregator.Processes)
        {
            stats.Add(new ProcessIntervalStats(
                p.Process,
                p.BytesSent,
                p.BytesReceived,
                seconds > 0 ? p.BytesSent / seconds : 0,
                seconds > 0 ? p.BytesReceived / seconds : 0,
                p.OpenConnections,
                p.PeakOpenConnections,
                p.Attempts,
                p.Failures));
        }
        stats.Sort(static (a, b) => b.BytesSent != a.BytesSent ? b.BytesSent.CompareTo(a.BytesSent) : a.Pid.CompareTo(b.Pid));
        return stats;
    }
}
