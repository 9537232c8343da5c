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

    public Incident(string id, IncidentKey key, AlertRecord opening, DateTimeOffset now)
    {
        Id = id;
        Key = key;
        Opening = Latest = opening;
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
    public AlertRecord Latest { get; private set; }
    /// <summary>
    /// Processes the incident's alerts came from: one, plus one each time an alert came from another process
    /// (pid or start time) than the alert before it. Only a beacon's incident spans processes (its key is the
    /// program's series, not a pid): a beacon re-spawned by cron or a shell loop counts each run.
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
        if (Latest.Remote is { } latest) yield return Model.CanonicalAddress.Of(latest.Address);
    }

    private string? Domain() => Key.Name ?? Latest.Names?.Domain ?? _openingDomain;

    public void AddEvidence(AlertRecord alert)
    {
        Alerts++;
        if (alert.Process.Pid != Latest.Process.Pid || alert.Process.Start != Latest.Process.Start)
        {
            Processes++;
        }
        Latest = alert;
        See(alert);
        Pending = true;
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
