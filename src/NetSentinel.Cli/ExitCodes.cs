namespace NetSentinel.Cli;

/// <summary>The documented, stable exit codes (README "Exit codes").</summary>
public static class ExitCodes
{
    /// <summary>Ran; no alerts (--once), or the monitor stopped normally.</summary>
    public const int Ok = 0;
    /// <summary>--once found alerts.</summary>
    public const int AlertsFound = 1;
    /// <summary>Usage or configuration error.</summary>
    public const int UsageError = 2;
    /// <summary>Runtime error: missing privilege, unsupported kernel, unwritable log.</summary>
    public const int RuntimeError = 3;
}
