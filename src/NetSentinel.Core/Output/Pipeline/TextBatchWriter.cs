using System.Text;

namespace NetSentinel.Core.Output.Pipeline;

/// <summary>A <see cref="TextWriter"/> (a test's StringWriter, an embedding host's console): the batch as text, flushed.</summary>
public sealed class TextBatchWriter(TextWriter writer) : IBatchWriter
{
    public void Write(ReadOnlySpan<byte> lines)
    {
        writer.Write(Encoding.UTF8.GetString(lines));
        writer.Flush();
    }

    public void Dispose() => writer.Flush();
}
