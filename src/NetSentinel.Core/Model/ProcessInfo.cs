using NetSentinel.Core.Identity;

namespace NetSentinel.Core.Model;

/// <summary>
/// Who owns a socket. Every string here may be attacker-controlled (a process picks its own name
/// and command line): sinks must escape, never interpret.
/// </summary>
public sealed record ProcessInfo
{
    /// <summary>How many ancestors a process carries (parent first): enough for service → shell → interpreter → tool chains.</summary>
    public const int MaxAncestry = 8;

    public required int Pid { get; init; }
    public int ParentPid { get; init; }
    /// <summary>Real user id; -1 when unknown.</summary>
    public long Uid { get; init; } = -1;
    public string? UserName { get; init; }
    /// <summary>Short name (comm on Linux, image name on Windows).</summary>
    public required string Name { get; init; }
    /// <summary>Full path of the executable, when known.</summary>
    public string? Executable { get; init; }
    /// <summary>
    /// The executable's path did not fit where it was captured: <see cref="Executable"/> is part of it (the eBPF source
    /// keeps the last components after a "…"), so it must never be matched by name (an allowlist entry would otherwise
    /// match a different path).
    /// </summary>
    public bool ExecutableTruncated { get; init; }
    /// <summary>Device and inode of the file actually executed (not the path string given to exec), when known.</summary>
    public ulong? ExecutableDevice { get; init; }
    public ulong? ExecutableInode { get; init; }
    public string? CommandLine { get; init; }
    /// <summary>The command line was longer than the capture cap: <see cref="CommandLine"/> and <see cref="Args"/> are its beginning.</summary>
    public bool CommandLineTruncated { get; init; }
    /// <summary>The arguments as exec received them (argv), when known.</summary>
    public IReadOnlyList<string>? Args { get; init; }
    public AttributionSource IdentifiedBy { get; init; }

    /// <summary><c>process.entity_id</c>: unique across pid reuse and reboots (<see cref="Identity.EntityId"/>).</summary>
    public string? EntityId { get; init; }
    /// <summary>When the process started.</summary>
    public DateTimeOffset? Start { get; init; }
    /// <summary>Parent first, then its parent, up to <see cref="MaxAncestry"/>; ancestors that have exited are still named.</summary>
    public IReadOnlyList<ProcessInfo> Ancestry { get; init; } = [];
    /// <summary>The container and pod the process runs in, from its cgroup path.</summary>
    public ContainerIdentity? Container { get; init; }
    /// <summary>The process's cgroup v2 path (e.g. <c>/system.slice/ssh.service</c>).</summary>
    public string? CgroupPath { get; init; }
    /// <summary>Inode of the process's network namespace (what <c>readlink /proc/PID/ns/net</c> shows).</summary>
    public ulong? NetworkNamespace { get; init; }

    /// <summary>A stand-in for a socket whose owner we could not see.</summary>
    public static ProcessInfo Unknown { get; } = new() { Pid = 0, Name = "?", IdentifiedBy = AttributionSource.Unknown };

    /// <summary>
    /// The key the new-destination baseline learns under: the executable when known (and whole), else the name.
    /// A truncated path is marked so it can never equal a real path.
    /// </summary>
    public string ProgramKey => Executable is null ? Name : ExecutableTruncated ? Executable + "…(truncated)" : Executable;

    /// <summary>
    /// <see cref="ProgramKey"/>'s hash code (<see cref="string.GetHashCode()"/>), worked out once per description: the
    /// detectors look programs up several times a connection. Monitor's thread only.
    /// </summary>
    public int ProgramKeyHash => _programKeyHash.Of(ProgramKey);

    private StringHashMemo _programKeyHash;
}
