using System.Buffers;
using System.Text;

namespace NetSentinel.Core.Output;

/// <summary>
/// Writes the same JSON lines as <see cref="JsonlFileSink"/> to a stream or text writer (stdout for
/// --json), flushing after every line so a pipe reader gets each record as it happens.
/// </summary>
public sealed class JsonlStreamSink : IRecordSink
{
    private readonly EcsJsonFormatter _formatter;
    private readonly Stream? _stream;
    private readonly TextWriter? _writer;
    private readonly bool _leaveOpen;
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private readonly Lock _gate = new();
    private bool _disposed;

    public JsonlStreamSink(Stream stream, EcsJsonFormatter? formatter = null, bool leaveOpen = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _formatter = formatter ?? new EcsJsonFormatter();
        _leaveOpen = leaveOpen;
    }

    /// <summary>For a writer such as Console.Out; the line is handed over as text, ending with '\n'.</summary>
    public JsonlStreamSink(TextWriter writer, EcsJsonFormatter? formatter = null, bool leaveOpen = true)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        _formatter = formatter ?? new EcsJsonFormatter();
        _leaveOpen = leaveOpen;
    }

    public void Write(LogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _line.ResetWrittenCount();
            _formatter.WriteLine(record, _line);
            if (_stream is not null)
            {
                _stream.Write(_line.WrittenSpan);
                _stream.Flush();
            }
            else
            {
                _writer!.Write(Encoding.UTF8.GetString(_line.WrittenSpan));
                _writer.Flush();
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (!_leaveOpen)
            {
                _stream?.Dispose();
                _writer?.Dispose();
            }
        }
    }
}
