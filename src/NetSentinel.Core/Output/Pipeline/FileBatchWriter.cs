namespace NetSentinel.Core.Output.Pipeline;

/// <summary>The rotated JSON Lines file: each batch in one write unless a rotation falls inside it.</summary>
public sealed class FileBatchWriter(JsonlFileSink file) : IBatchWriter
{
    public JsonlFileSink File { get; } = file;

    public void Write(ReadOnlySpan<byte> lines) => File.WriteLines(lines);

    public void Dispose() => File.Dispose();
}
