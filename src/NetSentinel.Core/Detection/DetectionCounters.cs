using NetSentinel.Core.Metrics;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>
/// What the detection pipeline saw and did, for the metrics endpoint: counted on the monitor's thread, the
/// only writer, with a plain load and a volatile store per event (a 64-bit store is atomic, so the metrics thread
/// reads whole values; an interlocked add's lock prefix cost ~4 % of the monitor's CPU in a connect storm), read on
/// the metrics thread. The gauges (incidents open,
/// what is tracked, drain lag) are published once per drain, so the reader never touches the
/// pipeline's own collections.
/// </summary>
public sealed class DetectionCounters
{
    /// <summary>Event kinds as metric label values, indexed by <see cref="ConnectionEventKind"/>, then DNS.</summary>
    public static readonly string[] EventKinds = ["opened", "traffic", "closed", "resumed", "dns"];

    private const int DnsIndex = 4;

    private readonly long[] _events = new long[EventKinds.Length];
    private readonly long[] _connectionsAnalysed = new long[EventKinds.Length];
    private long _ignoredLoopback;
    private long _ignoredAllowlist;
    private long _dnsMalformed;
    private long _openIncidents;
    private long _processes;
    private long _connections;
    private long _names;
    private long _nameEvictions;
    private long _incidentEvictions;
    private long _beaconSeriesEvictions;
    private long _exfiltrationPairEvictions;
    private long _drainLagTicks;
    private long _drainLagMaxTicks;
    private long _drainLagDrainTicks; // the largest lag of the drain in progress (monitor thread only)

    /// <summary>Alert lines written, by rule, severity and incident phase (opened, updated, closed; "none" for a line outside an incident).</summary>
    public LabelledCounter Alerts { get; } = new();

    /// <summary>Events the source delivered, by kind (before any filter).</summary>
    public long Events(int kindIndex) => Interlocked.Read(ref _events[kindIndex]);

    /// <summary>Events of this kind that reached the detectors (not loopback when that is excluded, not allowlisted).</summary>
    public long Analysed(int kindIndex) => Interlocked.Read(ref _connectionsAnalysed[kindIndex]);

    public long IgnoredLoopback => Interlocked.Read(ref _ignoredLoopback);

    public long IgnoredAllowlist => Interlocked.Read(ref _ignoredAllowlist);

    public long DnsMalformed => Interlocked.Read(ref _dnsMalformed);

    public long OpenIncidents => Interlocked.Read(ref _openIncidents);

    public long Processes => Interlocked.Read(ref _processes);

    public long Connections => Interlocked.Read(ref _connections);

    public long Names => Interlocked.Read(ref _names);

    public long NameEvictions => Interlocked.Read(ref _nameEvictions);

    /// <summary>Incidents closed early, with their line, because the most that may be open were open.</summary>
    public long IncidentEvictions => Interlocked.Read(ref _incidentEvictions);

    /// <summary>Beacon series (a program's history to one destination) dropped because the most that may be held were held.</summary>
    public long BeaconSeriesEvictions => Interlocked.Read(ref _beaconSeriesEvictions);

    /// <summary>Exfiltration windows (a program's bytes to one address) dropped because the most that may be held were held.</summary>
    public long ExfiltrationPairEvictions => Interlocked.Read(ref _exfiltrationPairEvictions);

    /// <summary>The oldest event of the last drain, by how long before its drain it happened (the source's timestamp to now).</summary>
    public TimeSpan DrainLag => TimeSpan.FromTicks(Interlocked.Read(ref _drainLagTicks));

    /// <summary>The largest <see cref="DrainLag"/> since the start.</summary>
    public TimeSpan DrainLagMax => TimeSpan.FromTicks(Interlocked.Read(ref _drainLagMaxTicks));

    internal void Received(ConnectionEventKind kind) => Count(ref _events[(int)kind]);

    internal void ReceivedDns(bool malformed)
    {
        Count(ref _events[DnsIndex]);
        if (malformed) Count(ref _dnsMalformed);
    }

    internal void Ignored(bool loopback) => Count(ref loopback ? ref _ignoredLoopback : ref _ignoredAllowlist);

    internal void Analysed(ConnectionEventKind kind) => Count(ref _connectionsAnalysed[(int)kind]);

    /// <summary>One more, by the monitor's thread (the only writer): no read-modify-write can interleave with another.</summary>
    private static void Count(ref long counter) => Volatile.Write(ref counter, counter + 1);

    internal void AlertWritten(AlertRecord alert) => Alerts.Increment(alert.Rule, SeverityName(alert.Severity), PhaseName(alert.Incident?.Phase));

    private static string PhaseName(IncidentPhase? phase) => phase switch
    {
        IncidentPhase.Opened => "opened",
        IncidentPhase.Updated => "updated",
        IncidentPhase.Closed => "closed",
        _ => "none",
    };

    /// <summary>How long ago (by the source's clock) the event happened; the drain keeps the largest.</summary>
    internal void Lag(TimeSpan lag)
    {
        if (lag.Ticks > _drainLagDrainTicks) _drainLagDrainTicks = lag.Ticks;
    }

    /// <summary>A drain ended: publish the gauges for the metrics thread.</summary>
    internal void Publish(int openIncidents, int processes, int connections, int names, long nameEvictions)
    {
        Interlocked.Exchange(ref _openIncidents, openIncidents);
        Interlocked.Exchange(ref _processes, processes);
        Interlocked.Exchange(ref _connections, connections);
        Interlocked.Exchange(ref _names, names);
        Interlocked.Exchange(ref _nameEvictions, nameEvictions);
        Interlocked.Exchange(ref _drainLagTicks, _drainLagDrainTicks);
        if (_drainLagDrainTicks > _drainLagMaxTicks) Interlocked.Exchange(ref _drainLagMaxTicks, _drainLagDrainTicks);
        _drainLagDrainTicks = 0;
    }

    /// <summary>What the alert state's caps pushed out, published with the gauges (monitor thread).</summary>
    internal void PublishEvictions(long incidents, long beaconSeries, long exfiltrationPairs)
    {
        Interlocked.Exchange(ref _incidentEvictions, incidents);
        Interlocked.Exchange(ref _beaconSeriesEvictions, beaconSeries);
        Interlocked.Exchange(ref _exfiltrationPairEvictions, exfiltrationPairs);
    }

    public static string SeverityName(Severity severity) => severity switch
    {
        Severity.Critical => "critical",
        Severity.High => "high",
        Severity.Medium => "medium",
        _ => "low",
    };
}
