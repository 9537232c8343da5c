namespace NetSentinel.Core.Output;

/// <summary>Alert severity; written as ECS <c>event.severity</c> (the number) and <c>log.level</c> (the name).</summary>
public enum Severity : byte
{
    Low = 1,
    Medium = 2,
    High = 3,
    Critical = 4,
}
