namespace NetSentinel.Core.Output.Pipeline;

/// <summary>
/// The far end of one output: takes a batch of whole lines, each ending with '\n', and hands them on
/// (a file, a pipe, a syslog socket). Called from the output's own thread only, so it may block.
/// </summary>
public interface IBatchWriter : IDisposable
{
    /// <summary>Writes the batch; throws when it could not (the batch's lines are then counted as failed).</summary>
    void Write(ReadOnlySpan<byte> lines);
}
