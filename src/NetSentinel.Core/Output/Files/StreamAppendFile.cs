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
        Length = stream.Length;
    }

    public long Length { get; private set; }

    public long RepairedBytes => 0;

    public void Append(ReadOnlySpan<byte> line)
    {
        try
        {
            _stream.Write(line);
            _stream.Flush(flushToDisk: false);
            Length += line.Length;
        }
        catch (IOException e)
        {
            try
            {
                _stream.SetLength(Length); // never leave part of a line
            }
            catch (IOException)
            {
                // The write's own failure is what gets reported.
            }
            throw LogFileErrors.WriteFailed(_path, e.Message, diskFull: (e.HResult & 0xFFFF) is 112 or 39 or 28);
        }
    }

    public void Dispose() => _stream.Dispose();
}
