namespace NetSentinel.Core.Output;

/// <summary>What the log does when its file system is full (log.disk_full_action), as auditd's disk_full_action.</summary>
public enum DiskFullAction : byte
{
    /// <summary>Keep monitoring; count the lines that could not be written and say so in the log when space returns and in the summary.</summary>
    Drop,
    /// <summary>Stop the monitor (exit 3, with its summary): for sites where an unlogged minute is worse than none.</summary>
    Stop,
}
