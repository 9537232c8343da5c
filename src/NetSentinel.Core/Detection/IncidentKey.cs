using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>
/// What makes alerts "one process, one behaviour": the rule, the process and — depending on the rule — the
/// destination. A process's scan, burst of new destinations, connection count or send rate is one behaviour
/// whatever it touches; a beacon (by address, or by domain once names exist) or an exfiltration (by address)
/// is one behaviour per destination. A program shared by many scripts (bash) must not merge their stories,
/// so the pid is part of the key — except a beacon's and an exfiltration's, whose evidence is already the program's
/// (a beacon's score is over every run's connections, an exfiltration's window over every run's bytes): their pid is
/// <see cref="AnyPid"/> and the incident counts the processes.
/// </summary>
/// <param name="Name">The domain a beacon is keyed by, or the name a DNS alert is about (a beacon whose address rotates behind one name is one incident).</param>
public readonly record struct IncidentKey(string Rule, string ProgramKey, int Pid, IPAddress? Address, int Port, Transport? Transport, string? Name = null)
{
    public static IncidentKey Of(AlertRecord alert)
    {
        string program = alert.Process.ProgramKey;
        IPAddress? address = alert.Remote is { } remote ? CanonicalAddress.Of(remote.Address) : null;
        return alert.Rule switch
        {
            NewDestinationDetector.RuleName or ScanDetector.RuleName or ManyConnectionsDetector.RuleName
                or HighSendRateDetector.RuleName => ForProcess(alert.Rule, alert.Process),
            // A beacon is the program's series (BeaconDetector keys it by executable, so a beacon re-spawned by cron or
            // a shell loop is one series): its incident is that series, whatever pid each run had.
            BeaconDetector.RuleName => ForBeacon(program, alert.Names?.Domain, address, alert.Remote?.Port ?? 0, alert.Transport),
            // An exfiltration is judged per program too (its window sums every run's bytes to the address): one incident
            // for the program and address, whichever run crossed the threshold.
            ExfiltrationDetector.RuleName => new(alert.Rule, program, AnyPid, address, 0, null),
            _ => new(alert.Rule, program, alert.Process.Pid, address, alert.Remote?.Port ?? 0, alert.Transport, alert.QueriedName),
        };
    }

    /// <summary>The pid of a key that spans the program's processes (a beacon's or an exfiltration's).</summary>
    public const int AnyPid = 0;

    /// <summary>True when both keys are about one program and, unless one spans the program's processes, one pid.</summary>
    public bool SameProcesses(IncidentKey other) =>
        ProgramKey == other.ProgramKey && (Pid == other.Pid || Pid == AnyPid || other.Pid == AnyPid);

    /// <summary>A beacon's key: the program's series to one destination — by its domain when it has one (the address may rotate), else by address.</summary>
    public static IncidentKey ForBeacon(string programKey, string? domain, IPAddress? address, int port, Transport? transport) =>
        new(BeaconDetector.RuleName, programKey, AnyPid, domain is null ? address : null, port, transport, domain);

    /// <summary>The key of a per-process behaviour (scan, new_destination, ...) of <paramref name="process"/>.</summary>
    public static IncidentKey ForProcess(string rule, ProcessInfo process) => new(rule, process.ProgramKey, process.Pid, null, 0, null);
}
