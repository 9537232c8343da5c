namespace NetSentinel.Core.Output;

/// <summary>Where log records go: the JSONL file, stdout. Called from the monitor's thread only.</summary>
public interface IRecordSink : IDisposable
{
    /// <summary>Writes one record; a file sink flushes it before returning so nothing is lost if we are killed.</summary>
    void Write(LogRecord record);

    /// <summary>
    /// The monitor finished one drain of its source: lines held for a batched write go out now
    /// (see OutputPipeline). Sinks that write each line at once need do nothing.
    /// </summary>
    void Flush()
    {
    }
}
