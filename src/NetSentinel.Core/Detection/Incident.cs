using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>One open incident: the alert that opened it, the latest evidence, and the counts so far.</summary>
internal sealed class Incident
{
    /// <summary>Distinct destinations remembered per incident; past it the count stops growing (and says so with "+").</summary>
    public const int MaxDestinations = 4096;

    /// <summary>Destinations named in a summary line.</summary>
    public const int SampleSize = 8;

    private readonly HashSet<string> _destinations = [];
    private readonly List<string> _sample = [];
    private readonly Dictionary<string, long> _folded = [];
    private readonly List<string> _absorbed = [];

    public Incident(string id, IncidentKey key, AlertRecord opening, DateTimeOffset now)
    {
        Id = id;
        Key = key;
        Opening = Latest = opening;
        Severity = opening.Severity;
        FirstSeen = LastSeen = LastActive = opening.Timestamp;
        LastWritten = now;
        See(opening);
    }

    public string Id { get; }
    public IncidentKey Key { get; }
    public AlertRecord Opening { get; }
    public AlertRecord Latest { get; private set; }
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
    public int DestinationCount => _destinations.Count;
    public IReadOnlyList<string> Sample => _sample;
    public bool DestinationsCapped => _destinations.Count >= MaxDestinations;
    public long FoldedTotal => _folded.Values.Sum();

    /// <summary>True when the incident holds more than its opening line said: a closing line then has news.</summary>
    public bool HasMoreThanOpening => Alerts > 1 || _folded.Count > 0 || _absorbed.Count > 0;

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
        if (Opening.Remote is { } first) yield return Model.CanonicalAddress.Of(first.Address);
        if (Latest.Remote is { } latest) yield return Model.CanonicalAddress.Of(latest.Address);
    }

    private string? Domain() => Key.Name ?? Latest.Names?.Domain ?? Opening.Names?.Domain;

    public void AddEvidence(AlertRecord alert)
    {
        Alerts++;
        Latest = alert;
        See(alert);
        Pending = true;
    }

    /// <summary>An alert of another rule counted into this incident instead of writing its own line.</summary>
    public void Fold(AlertRecord alert, long count = 1)
    {
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
        _absorbed.Add(other.Id);
        _folded[other.Key.Rule] = _folded.GetValueOrDefault(other.Key.Rule) + other.Alerts;
        foreach (var (rule, count) in other._folded)
        {
            _folded[rule] = _folded.GetValueOrDefault(rule) + count;
        }
        if (other.FirstSeen < FirstSeen)
        {
            FirstSeen = other.FirstSeen;
        }
        foreach (string destination in other._destinations)
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
        if (_destinations.Count < MaxDestinations && _destinations.Add(name) && _sample.Count < SampleSize)
        {
            _sample.Add(name);
        }
    }

    public IncidentFacts Facts(IncidentPhase phase) => new(
        Id, phase, FirstSeen, LastSeen, Alerts,
        [.. _folded.OrderBy(f => f.Key, StringComparer.Ordinal)],
        [.. _absorbed],
        _destinations.Count);
}
