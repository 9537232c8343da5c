namespace NetSentinel.Windows.Processes;

/// <summary>
/// What Windows says of one live process: its short name, image path, the pid of the process that created it (which
/// may have exited since, and its pid been reused), and its creation time as a FILETIME (100 ns since 1601, UTC);
/// 0 when the process denied access to its times.
/// </summary>
public readonly record struct WindowsProcessFacts(string? Name, string? Executable, int ParentPid, long CreationFileTime);
