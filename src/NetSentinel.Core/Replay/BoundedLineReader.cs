namespace NetSentinel.Core.Replay;

/// <summary>
/// Splits a byte stream into lines of at most <see cref="MaxLineBytes"/> bytes, in constant memory: a longer
/// line is reported as too long and its remaining bytes are skipped, never buffered. The last line needs no
/// final newline (a log cut short by a crash or a full disk still yields its last, partial line).
/// </summary>
public sealed class BoundedLineReader(Stream stream, int maxLineBytes = BoundedLineReader.DefaultMaxLineBytes)
{
    /// <summary>The formatter's lines are a few KiB; a command line can add up to the kernel's 128 KiB argument page.</summary>
    public const int DefaultMaxLineBytes = 1024 * 1024;

    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly byte[] _line = new byte[maxLineBytes];
    private int _start;
    private int _end;
    private bool _endOfStream;

    public int MaxLineBytes { get; } = maxLineBytes;

    /// <summary>Number of the line last returned, from 1.</summary>
    public int LineNumber { get; private set; }

    /// <summary>
    /// The next line without its '\n' (valid until the next call), or false at the end of the stream.
    /// <paramref name="tooLong"/> says the line exceeded the bound; <paramref name="line"/> is then empty.
    /// </summary>
    public bool TryRead(out ReadOnlyMemory<byte> line, out bool tooLong)
    {
        int length = 0;
        tooLong = false;
        bool any = false;
        while (true)
        {
            if (_start == _end)
            {
                if (_endOfStream || !Fill())
                {
                    if (!any)
                    {
                        line = default;
                        return false;
                    }
                    break;
                }
            }
            any = true;
            var available = _buffer.AsSpan(_start, _end - _start);
            int newline = available.IndexOf((byte)'\n');
            var piece = newline >= 0 ? available[..newline] : available;
            if (!tooLong && length + piece.Length <= _line.Length)
            {
                piece.CopyTo(_line.AsSpan(length));
                length += piece.Length;
            }
            else
            {
                tooLong = true;
            }
            _start += newline >= 0 ? newline + 1 : piece.Length;
            if (newline >= 0)
            {
                break;
            }
        }
        LineNumber++;
        line = tooLong ? ReadOnlyMemory<byte>.Empty : _line.AsMemory(0, length);
        return true;
    }

    private bool Fill()
    {
        _start = 0;
        _end = stream.Read(_buffer, 0, _buffer.Length);
        if (_end <= 0)
        {
            _end = 0;
            _endOfStream = true;
            return false;
        }
        return true;
    }
}
