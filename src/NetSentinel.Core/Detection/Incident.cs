using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>One open incident: the alert that opened it, the latest evidence, and the counts so far.</summary>
internal sealed class Incident
{
    /// <summary>Distinct destinations remembered per incident; past it the count stops growing (and says so with "+").</summary>
    public const int MaxDestinations = 4096;

    /// <summary>Destinations named in a summary line.</summary>
    public const int SampleSize = 8;

    // What an open incident holds is what a storm of alerts costs (thousands may be open): the collections only
    // scans and new-destination bursts need are made when first needed, the first destination is a field (most
    // incidents name one), and the opening alert is let go once written — its process (args, ancestry) with it.
    private string? _firstDestination;
    private HashSet<string>? _destinations;
    private List<string>? _sample;
    private Dictionary<string, long>? _folded;
    private List<string>? _absorbed;
    private readonly System.Net.IPAddress? _openingAddress;
    private readonly string? _openingDomain;
    /// <summary>The latest alert; null while <see cref="_counted"/> is newer (what an older alert held — its process, message — is let go).</summary>
    private AlertRecord? _latest;
    /// <summary>The latest beacon connection counted without an alert of its own (one box per incident, reused in place).</summary>
    private System.Runtime.CompilerServices.StrongBox<BeaconEvidence>? _counted;
    /// <summary><see cref="_counted"/> is newer than <see cref="_latest"/>.</summary>
    private bool _countedIsLatest;

    public Incident(string id, IncidentKey key, AlertRecord opening, DateTimeOffset now)
    {
        Id = id;
        Key = key;
        Opening = _latest = opening;
        _openingAddress = opening.Remote is { } remote ? Model.CanonicalAddress.Of(remote.Address) : null;
        _openingDomain = opening.Names?.Domain;
        Severity = opening.Severity;
        FirstSeen = LastSeen = LastActive = opening.Timestamp;
        LastWritten = now;
        See(opening);
    }

    public string Id { get; }
    public IncidentKey Key { get; }
    /// <summary>The opening alert until its line is written (<see cref="OpeningWritten"/>), then null.</summary>
    public AlertRecord? Opening { get; private set; }

    /// <summary>The latest alert: built from the latest counted beacon evidence (<see cref="Count"/>) when that is newer.</summary>
    public AlertRecord Latest
    {
        get
        {
            if (_countedIsLatest)
            {
                _latest = _counted!.Value.ToAlert();
                _countedIsLatest = false;
            }
            return _latest!;
        }
    }

    /// <summary>The process of the latest evidence (alert or counted), without building an alert.</summary>
    public Model.ProcessInfo LatestProcess => _countedIsLatest ? _counted!.Value.Process : _latest!.Process;

    /// <summary>The latest evidence's beacon period, if it has one.</summary>
    public double? LatestPeriodSeconds => _countedIsLatest ? _counted!.Value.Score.Period.TotalSeconds : _latest!.PeriodSeconds;

    private System.Net.IPAddress? LatestAddress =>
        _countedIsLatest ? Model.CanonicalAddress.Of(_counted!.Value.Remote.Address)
        : _latest!.Remote is { } remote ? Model.CanonicalAddress.Of(remote.Address) : null;

    private string? LatestDomain => _countedIsLatest ? _counted!.Value.Names?.Domain : _latest!.Names?.Domain;
    /// <summary>
    /// Processes the incident's alerts came from: one, plus one each time an alert came from another process
    /// (pid or start time) than the alert before it. Only a beacon's or an exfiltration's incident spans processes (its key
    /// is the program's, not a pid's): a beacon re-spawned by cron or a shell loop counts each run.
    /// </summary>
    public long Processes { get; private set; } = 1;
    public Severity Severity { get; set; }
    public DateTimeOffset FirstSeen { get; private set; }
    public DateTimeOffset LastSeen { get; private set; }
    /// <summary>The latest alert raised into or folded into the incident: what "quiet" is measured from.</summary>
    public DateTimeOffset LastActive { get; private set; }
    /// <summary>When the latest line of this incident was written.</summary>
    public DateTimeOffset LastWritten { get; set; }
    /// <summary>Alerts raised into the incident, the opening one included.</summary>
    public long Alerts { get; private set; } = 1;
    /// <summary>Opened but not written yet (a sweep's many_connections, waiting one interval for its scan).</summary>
    public bool Held { get; set; }
    /// <summary>Evidence arrived since the last line was written.</summary>
    public bool Pending { get; set; }
    public int DestinationCount => _destinations?.Count ?? (_firstDestination is null ? 0 : 1);
    public IReadOnlyList<string> Sample => _sample ?? (_firstDestination is null ? [] : [_firstDestination]);
    public bool DestinationsCapped => DestinationCount >= MaxDestinations;
    public long FoldedTotal => _folded?.Values.Sum() ?? 0;

    /// <summary>True when the incident holds more than its opening line said: a closing line then has news.</summary>
    public bool HasMoreThanOpening => Alerts > 1 || _folded is not null || _absorbed is not null;

    /// <summary>The opening line was written: the opening alert is no longer needed (the latest one stands for the incident).</summary>
    public void OpeningWritten() => Opening = null;

    /// <summary>
    /// True when this incident and <paramref name="other"/> concern one destination: an address either one's alerts
    /// named, or one domain. A beacon keyed by its domain (its address may rotate) and an exfiltration keyed by an
    /// address are thereby linked when the address is the one the beacon reached or the domain is the exfiltration's name.
    /// </summary>
    public bool SameDestination(Incident other)
    {
        foreach (var address in Addresses())
        {
            foreach (var theirs in other.Addresses())
            {
                if (address.Equals(theirs))
                {
                    return true;
                }
            }
        }
        return Domain() is { } domain && string.Equals(domain, other.Domain(), StringComparison.OrdinalIgnoreCase);
    }

    private IEnumerable<System.Net.IPAddress> Addresses()
    {
        if (Key.Address is { } keyed) yield return keyed;
        if (_openingAddress is { } first) yield return first;
        if (LatestAddress is { } latest) yield return latest;
    }

    private string? Domain() => Key.Name ?? LatestDomain ?? _openingDomain;

    public void AddEvidence(AlertRecord alert)
    {
        CountProcess(alert.Process);
        _latest = alert;
        _countedIsLatest = false;
        See(alert);
        Pending = true;
    }

    /// <summary>
    /// True when the latest evidence reached <paramref name="remote"/>: a beacon keyed by its domain may reach another of
    /// its addresses, which is a destination the incident must list (then the alert is built and added as evidence).
    /// </summary>
    public bool LatestReached(System.Net.IPEndPoint remote) =>
        LatestAddress is { } latest && latest.Equals(Model.CanonicalAddress.Of(remote.Address));

    /// <summary>
    /// A beacon connection whose alert would only be counted: counted as <see cref="AddEvidence"/> would, its evidence kept
    /// in place of an alert (the same destination: <see cref="LatestReached"/>), and built into one only if a line needs it.
    /// </summary>
    public void Count(in BeaconEvidence evidence)
    {
        CountProcess(evidence.Process);
        (_counted ??= new()).Value = evidence;
        _countedIsLatest = true;
        _latest = null; // an open beacon held its opening alert (and that run's process) besides the latest evidence
        if (evidence.FirstStart < FirstSeen)
        {
            FirstSeen = evidence.FirstStart;
        }
        if (evidence.Context.Now > LastSeen)
        {
            LastSeen = evidence.Context.Now;
        }
        if (evidence.Context.Now > LastActive)
        {
            LastActive = evidence.Context.Now;
        }
        Pending = true;
    }

    private void CountProcess(Model.ProcessInfo process)
    {
        Alerts++;
        var latest = LatestProcess;
        if (process.Pid != latest.Pid || process.Start != latest.Start)
        {
            Processes++;
        }
    }

    /// <summary>An alert of another rule counted into this incident instead of writing its own line.</summary>
    public void Fold(AlertRecord alert, long count = 1)
    {
        _folded ??= [];
        _folded[alert.Rule] = _folded.GetValueOrDefault(alert.Rule) + count;
        // A folded alert keeps the incident open but does not stretch its span: an interval rule's alert is
        // stamped at the interval's end, not when the activity happened.
        if (alert.Timestamp > LastActive)
        {
            LastActive = alert.Timestamp;
        }
        SeeDestination(alert);
        Pending = true;
    }

    /// <summary>Takes over another incident of the same process: its alerts become folded ones, its id is kept.</summary>
    public void Absorb(Incident other)
    {
        (_absorbed ??= []).Add(other.Id);
        _folded ??= [];
        _folded[other.Key.Rule] = _folded.GetValueOrDefault(other.Key.Rule) + other.Alerts;
        foreach (var (rule, count) in other._folded ?? [])
        {
            _folded[rule] = _folded.GetValueOrDefault(rule) + count;
        }
        if (other.FirstSeen < FirstSeen)
        {
            FirstSeen = other.FirstSeen;
        }
        foreach (string destination in other._destinations ?? (other._firstDestination is { } only ? [only] : []))
        {
            AddDestination(destination);
        }
    }

    public void See(AlertRecord alert)
    {
        var start = alert.ActivityStart ?? alert.Timestamp;
        if (start < FirstSeen)
        {
            FirstSeen = start;
        }
        if (alert.Timestamp > LastSeen)
        {
            LastSeen = alert.Timestamp;
        }
        if (alert.Timestamp > LastActive)
        {
            LastActive = alert.Timestamp;
        }
        SeeDestination(alert);
    }

    private void SeeDestination(AlertRecord alert)
    {
        if (alert.Remote is { } remote)
        {
            string name = alert.Names?.Domain is { } domain ? $" ({domain})" : string.Empty;
            AddDestination($"{new System.Net.IPEndPoint(Model.CanonicalAddress.Of(remote.Address), remote.Port)}/{(alert.Transport == Model.Transport.Udp ? "udp" : "tcp")}{name}");
        }
    }

    private void AddDestination(string name)
    {
        if (_firstDestination is null)
        {
            _firstDestination = name;
            return;
        }
        if (_destinations is null)
        {
            if (name == _firstDestination)
            {
                return;
            }
            _destinations = [_firstDestination];
            _sample = [_firstDestination];
        }
        if (_destinations.Count < MaxDestinations && _destinations.Add(name) && _sample!.Count < SampleSize)
        {
            _sample.Add(name);
        }
    }

    public IncidentFacts Facts(IncidentPhase phase) => new(
        Id, phase, FirstSeen, LastSeen, Alerts,
        _folded is null ? [] : [.. _folded.OrderBy(f => f.Key, StringComparer.Ordinal)],
        _absorbed is null ? [] : [.. _absorbed],
        DestinationCount)
    {
        Processes = Processes,
    };
}
