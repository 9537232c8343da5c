using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>
/// What makes alerts "one process, one behaviour": the rule, the process and — depending on the rule — the
/// destination. A process's scan, burst of new destinations, connection count or send rate is one behaviour
/// whatever it touches; a beacon (by address, or by domain once names exist) or an exfiltration (by address)
/// is one behaviour per destination. A program shared by many scripts (bash) must not merge their stories,
/// so the pid is always part of the key.
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
            BeaconDetector.RuleName when alert.Names?.Domain is { } domain => new(alert.Rule, program, alert.Process.Pid, null, alert.Remote?.Port ?? 0, alert.Transport, domain),
            ExfiltrationDetector.RuleName => new(alert.Rule, program, alert.Process.Pid, address, 0, null),
            _ => new(alert.Rule, program, alert.Process.Pid, address, alert.Remote?.Port ?? 0, alert.Transport, alert.QueriedName),
        };
    }

    /// <summary>The key of a per-process behaviour (scan, new_destination, ...) of <paramref name="process"/>.</summary>
    public static IncidentKey ForProcess(string rule, ProcessInfo process) => new(rule, process.ProgramKey, process.Pid, null, 0, null);
}
