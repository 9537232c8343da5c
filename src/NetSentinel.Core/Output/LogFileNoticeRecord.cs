namespace NetSentinel.Core.Output;

/// <summary>
/// What happened to the log file itself, written into it so a reader of the log sees it
/// (<c>event.dataset: "net_sentinel.log"</c>): <c>log_reopened</c> (deleted, replaced, SIGHUP),
/// <c>log_repaired</c> (a partial last line removed at open), <c>log_lines_dropped</c> (the disk was full).
/// </summary>
public sealed record LogFileNoticeRecord : LogRecord
{
    public const string Reopened = "log_reopened";
    public const string Repaired = "log_repaired";
    public const string LinesDropped = "log_lines_dropped";

    /// <summary>One of <see cref="Reopened"/>, <see cref="Repaired"/>, <see cref="LinesDropped"/>.</summary>
    public required string Action { get; init; }

    public required string Message { get; init; }

    /// <summary>log_lines_dropped: lines lost since the previous such line.</summary>
    public long? Dropped { get; init; }

    /// <summary>log_lines_dropped: lines lost since the monitor started.</summary>
    public long? TotalDropped { get; init; }
}
