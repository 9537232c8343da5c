namespace NetSentinel.Windows.Processes;

/// <summary>
/// What Windows says of one live process: its short name, image path, the pid of the process that created it (which
/// may have exited since, and its pid been reused), its creation time as a FILETIME (100 ns since 1601, UTC; 0 when
/// the process denied access to its times), and its command line (null when unknown; cut at
/// <see cref="MaxCommandLineChars"/>, then <see cref="CommandLineTruncated"/>).
/// </summary>
public readonly record struct WindowsProcessFacts(string? Name, string? Executable, int ParentPid, long CreationFileTime,
    string? CommandLine = null, bool CommandLineTruncated = false)
{
    /// <summary>Where a command line is cut: the 16 KiB the Linux sources keep of argv, in characters.</summary>
    public const int MaxCommandLineChars = 16384;
}
