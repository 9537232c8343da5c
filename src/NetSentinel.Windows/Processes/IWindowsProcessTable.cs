namespace NetSentinel.Windows.Processes;

/// <summary>
/// The Windows calls the resolver needs, behind an interface so that caching, pid reuse, ancestry and entity ids are
/// tested on Linux with a fake (<see cref="NativeWindowsProcessTable"/> is the real one).
/// </summary>
public interface IWindowsProcessTable
{
    /// <summary>The process now holding <paramref name="pid"/>; null when no process has it. Never throws.</summary>
    WindowsProcessFacts? Query(int pid);

    /// <summary>Why some processes could not be read (e.g. not elevated), once that has happened; null otherwise.</summary>
    string? DegradedReason { get; }
}
