namespace NetSentinel.Core.Output.Pipeline;

/// <summary>
/// A writer that sends line by line (syslog) failed for part of a batch: <see cref="LinesWritten"/>
/// of its lines (<see cref="BytesWritten"/> of its bytes) reached the far end, the rest are counted as lost. Lets the counts stay exact instead of calling the whole batch lost.
/// </summary>
public sealed class BatchWriteException(int linesWritten, int bytesWritten, string message, Exception? inner = null)
    : IOException(message, inner)
{
    public int LinesWritten { get; } = linesWritten;

    public int BytesWritten { get; } = bytesWritten;
}
