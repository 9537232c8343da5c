namespace NetSentinel.Core.Detection;

/// <summary>
/// What a rule is, written on each of its alerts (ECS <c>rule.*</c>, <c>threat.*</c>) so a SIEM can group,
/// route and explain alerts without knowing net-sentinel. The reasons for each technique are in docs/detectors.md.
/// </summary>
public sealed record RuleMetadata
{
    /// <summary>The rule's name: <c>rule.name</c> and <c>event.action</c>.</summary>
    public required string Name { get; init; }
    /// <summary>Stable id (<c>rule.id</c>): never reused for another rule.</summary>
    public required string Id { get; init; }
    /// <summary>What kind of evidence the rule weighs (<c>rule.category</c>).</summary>
    public required string Category { get; init; }
    public required string Description { get; init; }
    /// <summary>The section of docs/detectors.md that explains the rule (<c>rule.reference</c>).</summary>
    public required string Reference { get; init; }
    public required IReadOnlyList<ThreatTechnique> Techniques { get; init; }
}
