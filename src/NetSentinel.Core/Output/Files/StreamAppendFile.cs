namespace NetSentinel.Core.Output.Files;

/// <summary>A log file as an unbuffered FileStream in append mode (Windows and other non-Linux systems).</summary>
internal sealed class StreamAppendFile : IAppendFile
{
    private readonly string _path;
    private readonly FileStream _stream;

    public StreamAppendFile(string path, FileStream stream)
    {
        _path = path;
        _stream = stream;
        InitialLength = stream.Length;
    }

    public long InitialLength { get; }

    public void Append(ReadOnlySpan<byte> line)
    {
        try
        {
            _stream.Write(line);
            _stream.Flush(flushToDisk: false);
        }
        catch (IOException e)
        {
            throw LogFileErrors.WriteFailed(_path, e.Message);
        }
    }

    public void Dispose() => _stream.Dispose();
}
