namespace NetSentinel.Core.Output;

/// <summary>Where an alert line stands in its incident's life; written as <c>net_sentinel.incident.phase</c>.</summary>
public enum IncidentPhase : byte
{
    /// <summary>The first line of an incident: the detector's own finding.</summary>
    Opened,
    /// <summary>Evidence arrived since the last line: the counts so far (at most once per cooldown, or at once when severity rises).</summary>
    Updated,
    /// <summary>The incident went quiet (or the monitor stopped): its totals.</summary>
    Closed,
}
