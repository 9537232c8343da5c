namespace NetSentinel.Core.Output;

/// <summary>Alert severity; written as ECS <c>event.severity</c> (the number) and <c>event.risk_score</c> (RuleCatalog.RiskScore).</summary>
public enum Severity : byte
{
    Low = 1,
    Medium = 2,
    High = 3,
    Critical = 4,
}
