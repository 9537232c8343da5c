namespace NetSentinel.Core.Output;

/// <summary>
/// What an alert line says about the incident it belongs to (<c>net_sentinel.incident.*</c>): alerts about one
/// process and one behaviour share an id, so a reader counts incidents, not lines.
/// </summary>
/// <param name="Id">Unique within the host: the monitor's start time and a sequence number.</param>
/// <param name="FirstSeen">When the activity began (the earliest evidence, which may precede the first alert).</param>
/// <param name="LastSeen">The latest evidence.</param>
/// <param name="Alerts">Alerts the detectors raised into this incident so far, the opening one included.</param>
/// <param name="Folded">Alerts of other rules folded into it (new_destination and many_connections of a scanning process), by rule.</param>
/// <param name="Absorbed">Ids of incidents this one took over (a process's new_destination incident once it turns out to be scanning).</param>
/// <param name="Destinations">Distinct destinations (address, port, transport) named by its evidence.</param>
public sealed record IncidentFacts(
    string Id,
    IncidentPhase Phase,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    long Alerts,
    IReadOnlyList<KeyValuePair<string, long>> Folded,
    IReadOnlyList<string> Absorbed,
    int Destinations)
{
    /// <summary>Processes its alerts came from (more than one only for a beacon re-spawned by cron or a loop): see Incident.Processes.</summary>
    public long Processes { get; init; } = 1;

    public TimeSpan Span => LastSeen - FirstSeen;
}
