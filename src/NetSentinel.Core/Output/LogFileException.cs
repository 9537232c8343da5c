namespace NetSentinel.Core.Output;

/// <summary>
/// The log file cannot be opened, written or rotated. The message is one line meant for the user:
/// what is wrong with which path and what to do about it.
/// </summary>
public sealed class LogFileException : IOException
{
    public LogFileException(string path, string message)
        : base(message)
    {
        LogPath = path;
    }

    public LogFileException(string path, string message, Exception innerException)
        : base(message, innerException)
    {
        LogPath = path;
    }

    /// <summary>The path the sink was asked to write.</summary>
    public string LogPath { get; }

    /// <summary>The write failed for want of space (ENOSPC, or EDQUOT: over quota); log.disk_full_action decides what follows.</summary>
    public bool IsDiskFull { get; init; }
}
