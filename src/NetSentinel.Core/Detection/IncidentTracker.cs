using System.Globalization;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>
/// Folds the alerts detectors propose into incidents, so an analyst reads one story per process and behaviour
/// instead of one line per packet of evidence:
/// <list type="bullet">
/// <item>the first alert of a key (<see cref="IncidentKey"/>) opens an incident and is written as it is, with an incident id;</item>
/// <item>later alerts of the key are evidence: counted, and summed up in an update line at most once per
/// <paramref name="updateEvery"/> (alerts.cooldown_seconds, but never more than once per interval) — at once if
/// the severity rises;</item>
/// <item>an incident with no evidence for <paramref name="quietAfter"/> (or three beacon periods, if longer) — or whose
/// process ended (<see cref="OnProcessEnded"/>) — closes with a line stating its totals; one that got nothing after its
/// opening line closes silently — that line was its total;</item>
/// <item>a process's new destinations are one incident, restated once per interval: one line listing the first
/// few and the count;</item>
/// <item>a process that is scanning has its new_destination and many_connections alerts folded into the scan
/// incident (and an incident of theirs already open is absorbed), so a sweep is one incident whatever its size;
/// a many_connections incident made of failed attempts (<see cref="AlertRecord.MayPrecedeScan"/>) is written one
/// interval late, so a sweep that crosses its scan threshold meanwhile absorbs it without a line of its own;</item>
/// <item>a beacon and an exfiltration from one program to the same destination new to it raise both to high.</item>
/// </list>
/// Nothing is dropped silently: every alert is counted in its incident's lines. Memory: at most
/// <see cref="MaxOpenIncidents"/> open incidents; past it the stalest is closed (with its line) to make room.
/// </summary>
/// <param name="interval">The monitor's interval: a process's new destinations are restated once per interval (one line
/// listing the first few and the count), not once per cooldown.</param>
public sealed class IncidentTracker(TimeSpan updateEvery, TimeSpan quietAfter, DateTimeOffset startedAt, TimeSpan interval = default)
{
    public const int MaxOpenIncidents = 10_000;

    private readonly Dictionary<IncidentKey, Incident> _open = [];
    /// <summary>Open incidents per pid (beacons' and exfiltrations', keyed by no pid, are not counted): only these pids' ends matter.</summary>
    private readonly Dictionary<int, int> _openByPid = [];
    /// <summary>Processes with open incidents that ended since the last tick (pid → exit time): those incidents close at the tick.</summary>
    private readonly Dictionary<int, DateTimeOffset> _ended = [];
    /// <summary>Open exfiltration incidents: while there are none, no beacon evidence can raise one (<see cref="TryCount"/>).</summary>
    private int _openExfiltrations;
    private readonly string _idPrefix = startedAt.ToUnixTimeSeconds().ToString("x", CultureInfo.InvariantCulture);
    private long _sequence;

    public int OpenCount => _open.Count;

    /// <summary>Incidents closed early (with their line) because <see cref="MaxOpenIncidents"/> were open.</summary>
    public long Evictions { get; private set; }

    /// <summary>Takes one proposed alert; adds the lines to write now (none, or the opening or an escalation) to <paramref name="lines"/>.</summary>
    public void Add(AlertRecord alert, DateTimeOffset now, List<AlertRecord> lines)
    {
        if (alert.Rule is NewDestinationDetector.RuleName or ManyConnectionsDetector.RuleName
            && _open.TryGetValue(IncidentKey.ForProcess(ScanDetector.RuleName, alert.Process), out var scan))
        {
            scan.Fold(alert);
            return;
        }
        var key = IncidentKey.Of(alert);
        if (_open.TryGetValue(key, out var incident))
        {
            incident.AddEvidence(alert);
            string? note = null;
            if (alert.Severity > incident.Severity)
            {
                incident.Severity = alert.Severity;
                note = $"severity raised to {Name(alert.Severity)}";
            }
            if (incident.Held)
            {
                return; // its opening, when written, says all of it
            }
            note = RaiseBeaconAndExfiltration(incident, now, lines) ?? note;
            // New destinations wait for the interval's end, so its one line gathers all of them.
            bool due = key.Rule != NewDestinationDetector.RuleName && now - incident.LastWritten >= UpdateEvery(incident);
            if (note is not null || due)
            {
                lines.Add(Line(incident, IncidentPhase.Updated, now, note)); // a rise in severity is news: no waiting
            }
            return;
        }

        if (_open.Count >= MaxOpenIncidents)
        {
            CloseStalest(now, lines);
        }
        incident = new Incident($"{_idPrefix}-{++_sequence}", key, alert, now);
        Remember(incident);
        if (key.Rule == ScanDetector.RuleName)
        {
            foreach (string absorbed in new[] { NewDestinationDetector.RuleName, ManyConnectionsDetector.RuleName })
            {
                var siblingKey = IncidentKey.ForProcess(absorbed, alert.Process);
                if (_open.TryGetValue(siblingKey, out var sibling))
                {
                    Forget(sibling);
                    incident.Absorb(sibling);
                }
            }
        }
        if (alert.MayPrecedeScan)
        {
            incident.Held = true; // written at the next tick, unless a scan absorbs it first
            return;
        }
        string? raised = RaiseBeaconAndExfiltration(incident, now, lines);
        lines.Add(Line(incident, IncidentPhase.Opened, now, raised));
    }

    /// <summary>
    /// Counts a beacon connection into its open incident without an alert, when <see cref="Add"/> would only have counted
    /// its alert: the incident is open and written, the severity does not rise, no update is due, no exfiltration could be
    /// raised with it, and it reached the destination the latest evidence did. Returns false otherwise (then the detector
    /// builds the alert and it goes through <see cref="Add"/>). A beacon alerts on every connection of its series, and a
    /// storm of beacons (a thousand a second) built and held an alert and its message per connection.
    /// </summary>
    internal bool TryCount(in BeaconEvidence evidence, DateTimeOffset now)
    {
        if (!_open.TryGetValue(evidence.IncidentKey, out var incident) || incident.Held
            || evidence.Severity > incident.Severity
            || now - incident.LastWritten >= UpdateEvery(incident)
            || (_openExfiltrations > 0 && incident.Severity >= Severity.Medium)
            || !incident.LatestReached(evidence.Remote))
        {
            return false;
        }
        incident.Count(evidence);
        return true;
    }

    /// <summary>
    /// A process is gone for good (the eBPF source says so once its last events are drained): no more evidence can
    /// come for the incidents keyed by its pid, so they close at the next tick — after that interval's own alerts
    /// (an interval rule's about its last seconds) are in — instead of being held for the quiet time. Beacon
    /// and exfiltration incidents span the program's processes and stay.
    /// </summary>
    public void OnProcessEnded(int pid, DateTimeOffset exitedAt)
    {
        // A fork storm ends thousands of processes between ticks; only those with an incident are remembered.
        if (_openByPid.ContainsKey(pid))
        {
            _ended[pid] = exitedAt;
        }
    }

    private void Remember(Incident incident)
    {
        _open[incident.Key] = incident;
        if (incident.Key.Rule == ExfiltrationDetector.RuleName)
        {
            _openExfiltrations++;
        }
        if (incident.Key.Pid != IncidentKey.AnyPid)
        {
            _openByPid[incident.Key.Pid] = _openByPid.GetValueOrDefault(incident.Key.Pid) + 1;
        }
    }

    private void Forget(Incident incident)
    {
        if (_open.Remove(incident.Key) && incident.Key.Rule == ExfiltrationDetector.RuleName)
        {
            _openExfiltrations--;
        }
        int pid = incident.Key.Pid;
        if (pid != IncidentKey.AnyPid && _openByPid.TryGetValue(pid, out int count))
        {
            if (count > 1)
            {
                _openByPid[pid] = count - 1;
            }
            else
            {
                _openByPid.Remove(pid);
            }
        }
    }

    /// <summary>At an interval end: writes the updates that are due and closes the incidents that went quiet or whose process ended.</summary>
    public void Tick(DateTimeOffset now, List<AlertRecord> lines)
    {
        List<Incident>? quiet = null;
        foreach (var incident in _open.Values)
        {
            if (incident.Held && now > incident.LastWritten)
            {
                Release(incident, now, lines); // an interval passed and no scan took it
            }
            if (now - incident.LastActive >= QuietAfter(incident) || ProcessEnded(incident))
            {
                (quiet ??= []).Add(incident);
            }
            else if (incident.Pending && now - incident.LastWritten >= UpdateEvery(incident))
            {
                lines.Add(Line(incident, IncidentPhase.Updated, now));
            }
        }
        if (quiet is not null)
        {
            foreach (var incident in quiet.OrderBy(i => i.LastActive))
            {
                Close(incident, now, lines);
            }
        }
        _ended.Clear();
    }

    /// <summary>
    /// How far a process's start time may lie after its exit and still be that process: /proc's start is counted
    /// from the boot time /proc/stat gives in whole seconds, the exit from the kernel's clock, so a process that
    /// lived a millisecond may seem to start up to a second after it ended.
    /// </summary>
    private static readonly TimeSpan StartClockSlack = TimeSpan.FromSeconds(2);

    /// <summary>True when the incident's process ended — the same process: a pid reused by a later one (started after the exit) is not.</summary>
    private bool ProcessEnded(Incident incident) =>
        incident.Key.Pid != IncidentKey.AnyPid && _ended.TryGetValue(incident.Key.Pid, out var exitedAt)
        && (incident.LatestProcess.Start is not { } start || start <= exitedAt + StartClockSlack);

    /// <summary>Closes every open incident (the monitor is stopping): totals are written, not lost.</summary>
    public void CloseAll(DateTimeOffset now, List<AlertRecord> lines)
    {
        foreach (var incident in _open.Values.OrderBy(i => i.LastActive).ToList())
        {
            Close(incident, now, lines);
        }
    }

    private TimeSpan UpdateEvery(Incident incident) =>
        incident.Key.Rule == NewDestinationDetector.RuleName && interval < updateEvery ? interval : updateEvery;

    private TimeSpan QuietAfter(Incident incident) =>
        incident.LatestPeriodSeconds is { } period && TimeSpan.FromSeconds(3 * period) > quietAfter
            ? TimeSpan.FromSeconds(3 * period)
            : quietAfter;

    /// <summary>Writes a held incident's opening: nothing it held is lost.</summary>
    private static void Release(Incident incident, DateTimeOffset now, List<AlertRecord> lines)
    {
        incident.Held = false;
        lines.Add(Line(incident, IncidentPhase.Opened, now));
        incident.Pending = false;
    }

    private void Close(Incident incident, DateTimeOffset now, List<AlertRecord> lines)
    {
        Forget(incident);
        if (incident.Held)
        {
            Release(incident, now, lines);
        }
        if (incident.HasMoreThanOpening)
        {
            lines.Add(Line(incident, IncidentPhase.Closed, now));
        }
    }

    private void CloseStalest(DateTimeOffset now, List<AlertRecord> lines)
    {
        Incident? stalest = null;
        foreach (var incident in _open.Values)
        {
            if (stalest is null || incident.LastActive < stalest.LastActive)
            {
                stalest = incident;
            }
        }
        if (stalest is not null)
        {
            Close(stalest, now, lines);
            Evictions++;
        }
    }

    /// <summary>
    /// A beacon and an exfiltration from one process (for the beacon: one of its program's) to one destination, both at medium or above (it is new to the
    /// program), are one intrusion — whether the beacon is keyed by its domain and the exfiltration by an address the
    /// domain resolved to (<see cref="Incident.SameDestination"/>): both incidents go to high. Returns the reason when <paramref name="incident"/>
    /// was raised, and writes an update for the other one.
    /// </summary>
    private string? RaiseBeaconAndExfiltration(Incident incident, DateTimeOffset now, List<AlertRecord> lines)
    {
        string? otherRule = incident.Key.Rule switch
        {
            BeaconDetector.RuleName => ExfiltrationDetector.RuleName,
            ExfiltrationDetector.RuleName => BeaconDetector.RuleName,
            _ => null,
        };
        if (otherRule is null || incident.Severity < Severity.Medium)
        {
            return null;
        }
        foreach (var other in _open.Values)
        {
            if (other.Key.Rule != otherRule || !other.Key.SameProcesses(incident.Key)
                || other.Severity < Severity.Medium || !incident.SameDestination(other))
            {
                continue;
            }
            if (incident.Severity >= Severity.High && other.Severity >= Severity.High)
            {
                return null;
            }
            incident.Severity = Severity.High;
            if (other.Severity < Severity.High)
            {
                other.Severity = Severity.High;
                lines.Add(Line(other, IncidentPhase.Updated, now, $"raised to high: {incident.Key.Rule} incident {incident.Id} to the same new destination"));
            }
            return $"raised to high: {other.Key.Rule} incident {other.Id} to the same new destination";
        }
        return null;
    }

    private static AlertRecord Line(Incident incident, IncidentPhase phase, DateTimeOffset now, string? note = null)
    {
        incident.LastWritten = now;
        incident.Pending = false;
        var facts = incident.Facts(phase);
        string suffix = note is null ? string.Empty : $" ({note})";
        if (phase == IncidentPhase.Opened)
        {
            var opening = incident.Opening ?? throw new InvalidOperationException($"incident {incident.Id}: its opening was written already");
            incident.OpeningWritten();
            return opening with { Severity = incident.Severity, Message = opening.Message + suffix, Incident = facts };
        }
        string state = phase == IncidentPhase.Closed ? "closed" : "continues";
        string folded = incident.FoldedTotal > 0
            ? "; folded in: " + string.Join(", ", facts.Folded.Select(f => $"{f.Value} {f.Key}"))
            : string.Empty;
        var latest = incident.Latest;
        if (incident.Key.Rule == NewDestinationDetector.RuleName)
        {
            // One line for a process's new destinations: the first few and how many, instead of a line each.
            int count = incident.DestinationCount;
            string counted = incident.DestinationsCapped ? $"{count}+" : count.ToString(CultureInfo.InvariantCulture);
            return latest with
            {
                Timestamp = now,
                Severity = incident.Severity,
                Message = $"{latest.Process.Name} (pid {latest.Process.Pid}) reached {counted} new destinations in " +
                          $"{HumanFormat.Duration(facts.Span)}: {string.Join(", ", incident.Sample)}{(count > incident.Sample.Count ? ", …" : string.Empty)}" +
                          $" — incident {incident.Id} {state}, {incident.Alerts} alerts{folded}{suffix}",
                Value = count,
                Unit = "destinations",
                Window = facts.Span,
                Transport = null,
                Local = null,
                Remote = null,
                Targets = incident.Sample,
                Incident = facts,
            };
        }
        return latest with
        {
            Timestamp = now,
            Severity = incident.Severity,
            Message = $"{latest.Message} — incident {incident.Id} {state}: {incident.Alerts} {incident.Key.Rule} alerts{FromProcesses(incident)} in " +
                      $"{HumanFormat.Duration(facts.Span)}{folded}{suffix}",
            Incident = facts,
        };
    }

    private static string FromProcesses(Incident incident) =>
        incident.Processes > 1 ? string.Create(CultureInfo.InvariantCulture, $" from {incident.Processes} processes") : string.Empty;

    private static string Name(Severity severity) => severity.ToString().ToLowerInvariant();
}
