namespace NetSentinel.Core.Output;

/// <summary>
/// Lines one output lost (<c>event.action: "output_lines_dropped"</c>): its queue was full (the output
/// did not keep up) or its writer failed. Written to every output that takes notices, so the loss on
/// one output is visible in the others.
/// </summary>
public sealed record OutputLinesDroppedRecord : LogRecord
{
    /// <summary>The output that lost lines: "file", "stdout", "syslog".</summary>
    public required string Output { get; init; }
    /// <summary>Lost since the previous such line for this output.</summary>
    public required long Dropped { get; init; }
    /// <summary>Lost by this output since the monitor started.</summary>
    public required long TotalDropped { get; init; }
}
