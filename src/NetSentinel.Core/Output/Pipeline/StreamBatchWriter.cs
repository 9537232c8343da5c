namespace NetSentinel.Core.Output.Pipeline;

/// <summary>A byte stream such as stdout: each batch in one write (a pipe reader that stops blocks only this output's thread).</summary>
public sealed class StreamBatchWriter(Stream stream, bool leaveOpen = true) : IBatchWriter
{
    public void Write(ReadOnlySpan<byte> lines)
    {
        stream.Write(lines);
        stream.Flush();
    }

    public void Dispose()
    {
        if (!leaveOpen) stream.Dispose();
    }
}
