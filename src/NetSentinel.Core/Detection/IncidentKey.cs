using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>
/// What makes alerts "one process, one behaviour": the rule, the program and — depending on the rule — the
/// process or the destination. A process's scan, burst of new destinations, connection count or send rate is
/// one behaviour whatever it touches; a beacon or an exfiltration is about one destination and follows the
/// program across its pids (a beacon re-spawned by cron is one series, as in the detector).
/// </summary>
/// <param name="Name">The domain a beacon is keyed by, or the name a DNS alert is about (a beacon whose address rotates behind one name is one incident).</param>
public readonly record struct IncidentKey(string Rule, string ProgramKey, int Pid, IPAddress? Address, int Port, Transport? Transport, string? Name = null)
{
    public static IncidentKey Of(AlertRecord alert)
    {
        string program = alert.Process.ProgramKey;
        IPAddress? address = alert.Remote is { } remote ? DestinationKey.Normalize(remote.Address) : null;
        return alert.Rule switch
        {
            NewDestinationDetector.RuleName or ScanDetector.RuleName or ManyConnectionsDetector.RuleName
                or HighSendRateDetector.RuleName => ForProcess(alert.Rule, alert.Process),
            BeaconDetector.RuleName when alert.Names?.Domain is { } domain => new(alert.Rule, program, 0, null, alert.Remote?.Port ?? 0, alert.Transport, domain),
            BeaconDetector.RuleName => new(alert.Rule, program, 0, address, alert.Remote?.Port ?? 0, alert.Transport),
            ExfiltrationDetector.RuleName => new(alert.Rule, program, 0, address, 0, null),
            _ => new(alert.Rule, program, alert.Process.Pid, address, alert.Remote?.Port ?? 0, alert.Transport, alert.QueriedName),
        };
    }

    /// <summary>The key of a per-process behaviour (scan, new_destination, ...) of <paramref name="process"/>.</summary>
    public static IncidentKey ForProcess(string rule, ProcessInfo process) => new(rule, process.ProgramKey, process.Pid, null, 0, null);
}
