using NetSentinel.Core.Model;

namespace NetSentinel.Windows.Processes;

/// <summary>
/// Turns a pid into what we know of its process (name, image path). Behind an interface so the
/// ETW mapping and the snapshot can be tested on Linux with a fake.
/// </summary>
public interface IProcessInfoResolver
{
    /// <summary>Never throws; a process that is gone or unreadable comes back with Name "?" (or its short name only).
    /// The returned <see cref="ProcessInfo.IdentifiedBy"/> is left for the caller to set.</summary>
    ProcessInfo Resolve(int pid);

    /// <summary>Why some processes could not be read (e.g. not elevated), once that has happened; null otherwise.</summary>
    string? DegradedReason { get; }
}
