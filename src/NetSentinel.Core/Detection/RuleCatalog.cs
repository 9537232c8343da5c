using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>
/// One row per rule: its id, category, description, documentation anchor and ATT&amp;CK techniques. The
/// formatter looks rules up here by name; a rule missing from the table is still written, with its name only.
/// </summary>
public static class RuleCatalog
{
    /// <summary><c>rule.ruleset</c> of every net-sentinel rule.</summary>
    public const string Ruleset = "net_sentinel";

    private const string Doc = "docs/detectors.md#";

    private static readonly ThreatTechnique ApplicationLayerProtocol = new("T1071", "Application Layer Protocol", "TA0011", "Command and Control");
    private static readonly ThreatTechnique EncryptedChannel = new("T1573", "Encrypted Channel", "TA0011", "Command and Control");
    private static readonly ThreatTechnique NetworkServiceDiscovery = new("T1046", "Network Service Discovery", "TA0007", "Discovery");
    private static readonly ThreatTechnique ExfiltrationOverAlternativeProtocol = new("T1048", "Exfiltration Over Alternative Protocol", "TA0010", "Exfiltration");
    private static readonly ThreatTechnique ExfiltrationOverC2Channel = new("T1041", "Exfiltration Over C2 Channel", "TA0010", "Exfiltration");
    private static readonly ThreatTechnique NetworkDenialOfService = new("T1498", "Network Denial of Service", "TA0040", "Impact");

    public static IReadOnlyList<RuleMetadata> All { get; } =
    [
        new()
        {
            Name = HighSendRateDetector.RuleName, Id = "NS-0001", Category = "volume",
            Description = "A process sent more bytes per second than the threshold over one interval.",
            Reference = Doc + "high_send_rate",
            Techniques = [ExfiltrationOverC2Channel, NetworkDenialOfService],
        },
        new()
        {
            Name = ManyConnectionsDetector.RuleName, Id = "NS-0002", Category = "volume",
            Description = "A process held or attempted more outbound TCP connections than the threshold in one interval.",
            Reference = Doc + "many_connections",
            Techniques = [NetworkDenialOfService],
        },
        new()
        {
            Name = NewDestinationDetector.RuleName, Id = "NS-0003", Category = "novelty",
            Description = "A program reached an address block, port and transport outside its learned baseline.",
            Reference = Doc + "new_destination",
            Techniques = [ApplicationLayerProtocol],
        },
        new()
        {
            Name = ScanDetector.RuleName, Id = "NS-0004", Category = "discovery",
            Description = "A process reached many distinct hosts or many distinct ports within a sliding window.",
            Reference = Doc + "scan",
            Techniques = [NetworkServiceDiscovery],
        },
        new()
        {
            Name = BeaconDetector.RuleName, Id = "NS-0005", Category = "command_and_control",
            Description = "A program connected to one destination at regular intervals (and sizes), as implants call home.",
            Reference = Doc + "beacon",
            Techniques = [ApplicationLayerProtocol, EncryptedChannel],
        },
        new()
        {
            Name = ExfiltrationDetector.RuleName, Id = "NS-0006", Category = "exfiltration",
            Description = "A program sent one destination outside its baseline far more than it received, within a window.",
            Reference = Doc + "exfiltration",
            Techniques = [ExfiltrationOverAlternativeProtocol],
        },
        new()
        {
            Name = BlocklistDetector.RuleName, Id = "NS-0007", Category = "threat_intel",
            Description = "A connection attempt or UDP flow went to an address on the block list.",
            Reference = Doc + "blocklisted_destination",
            Techniques = [ApplicationLayerProtocol],
        },
    ];

    private static readonly Dictionary<string, RuleMetadata> ByName = All.ToDictionary(rule => rule.Name, StringComparer.Ordinal);

    /// <summary>The rule's row, or null for a rule not in the table.</summary>
    public static RuleMetadata? Find(string ruleName) => ByName.GetValueOrDefault(ruleName);

    /// <summary>
    /// <c>event.risk_score</c> (0–100) from the alert's severity, on the bands Elastic's detection rules use
    /// (21 low, 47 medium, 73 high, 99 critical), so net-sentinel alerts sort among theirs.
    /// </summary>
    public static double RiskScore(Severity severity) => severity switch
    {
        Severity.Low => 21.0,
        Severity.Medium => 47.0,
        Severity.High => 73.0,
        Severity.Critical => 99.0,
        _ => 0.0,
    };
}
