namespace NetSentinel.Core.Detection;

/// <summary>One MITRE ATT&amp;CK technique and the tactic it serves (ECS <c>threat.technique.*</c>, <c>threat.tactic.*</c>).</summary>
public sealed record ThreatTechnique(string Id, string Name, string TacticId, string TacticName)
{
    public string Reference => $"https://attack.mitre.org/techniques/{Id}/";
    public string TacticReference => $"https://attack.mitre.org/tactics/{TacticId}/";
}
