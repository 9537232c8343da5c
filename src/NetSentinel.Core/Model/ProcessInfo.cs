namespace NetSentinel.Core.Model;

/// <summary>
/// Who owns a socket. Every string here may be attacker-controlled (a process picks its own name
/// and command line): sinks must escape, never interpret.
/// </summary>
public sealed record ProcessInfo
{
    public required int Pid { get; init; }
    public int ParentPid { get; init; }
    /// <summary>Real user id; -1 when unknown.</summary>
    public long Uid { get; init; } = -1;
    public string? UserName { get; init; }
    /// <summary>Short name (comm on Linux, image name on Windows).</summary>
    public required string Name { get; init; }
    /// <summary>Full path of the executable, when known.</summary>
    public string? Executable { get; init; }
    public string? CommandLine { get; init; }
    public AttributionSource IdentifiedBy { get; init; }

    /// <summary>A stand-in for a socket whose owner we could not see.</summary>
    public static ProcessInfo Unknown { get; } = new() { Pid = 0, Name = "?", IdentifiedBy = AttributionSource.Unknown };

    /// <summary>The key the new-destination baseline learns under: the executable when known, else the name.</summary>
    public string ProgramKey => Executable ?? Name;
}
