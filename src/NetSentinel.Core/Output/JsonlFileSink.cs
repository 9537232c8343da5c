using System.Buffers;
using NetSentinel.Core.Output.Files;

namespace NetSentinel.Core.Output;

/// <summary>
/// Appends each record as one JSON line to a log file and hands it to the kernel before returning,
/// so a reader (tail -f, a log shipper) sees complete lines while we run and nothing is lost if we
/// are killed. A new file is created with mode 0600; a symbolic link at the path is refused.
/// <para>
/// Rotation by size: before a line that would take the file past <see cref="MaxBytes"/>, x.jsonl.(n-1)
/// becomes x.jsonl.n … x.jsonl becomes x.jsonl.1, the oldest beyond <see cref="MaxFiles"/> is deleted,
/// and a new x.jsonl is started. A line is never split across files; a single line longer than
/// MaxBytes goes alone into a file of its own.
/// </para>
/// </summary>
public sealed class JsonlFileSink : IRecordSink
{
    public const long DefaultMaxBytes = 10 * 1024 * 1024;
    public const int DefaultMaxFiles = 5;

    private readonly EcsJsonFormatter _formatter;
    private readonly ILogFileSystem _fileSystem;
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private readonly Lock _gate = new();
    private IAppendFile? _file;
    private long _length;
    private bool _disposed;

    /// <summary>Opens (or creates) the log now, so a bad path is reported at start-up, not at the first alert.</summary>
    /// <exception cref="LogFileException">The path is a symbolic link, a directory, in a missing directory, or not writable.</exception>
    public JsonlFileSink(string path, EcsJsonFormatter? formatter = null, long maxBytes = DefaultMaxBytes, int maxFiles = DefaultMaxFiles)
        : this(path, formatter, maxBytes, maxFiles, ILogFileSystem.ForCurrentPlatform())
    {
    }

    internal JsonlFileSink(string path, EcsJsonFormatter? formatter, long maxBytes, int maxFiles, ILogFileSystem fileSystem)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxFiles);
        Path = path;
        MaxBytes = maxBytes;
        MaxFiles = maxFiles;
        _formatter = formatter ?? new EcsJsonFormatter();
        _fileSystem = fileSystem;
        Open(mustCreate: false);
    }

    public string Path { get; }

    /// <summary>Size a file may reach before the next line goes to a new one.</summary>
    public long MaxBytes { get; }

    /// <summary>How many rotated files (x.jsonl.1 … x.jsonl.N) are kept besides the current one.</summary>
    public int MaxFiles { get; }

    /// <summary>Rotations done since the sink was opened.</summary>
    public long Rotations { get; private set; }

    /// <exception cref="LogFileException">The line could not be written or the log could not be rotated.</exception>
    public void Write(LogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _line.ResetWrittenCount();
            _formatter.WriteLine(record, _line);
            AppendLocked(_line.WrittenSpan);
        }
    }

    /// <summary>
    /// Appends already formatted whole lines (each ending with '\n') in as few writes as rotation
    /// allows: one write when the batch fits the current file, otherwise split at the last line
    /// that fits, so a line is still never split across files.
    /// </summary>
    /// <exception cref="LogFileException">The lines could not be written or the log could not be rotated.</exception>
    public void WriteLines(ReadOnlySpan<byte> lines)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            while (!lines.IsEmpty)
            {
                int take = WholeLinesFitting(lines, MaxBytes - _length);
                if (take == 0)
                {
                    // Not even the first line fits what is left: it starts a new file (alone, if it is longer than MaxBytes).
                    int first = lines.IndexOf((byte)'\n') + 1;
                    take = first > 0 ? first : lines.Length;
                }
                AppendLocked(lines[..take]);
                lines = lines[take..];
            }
        }
    }

    /// <summary>Length of the longest prefix of whole lines no longer than <paramref name="room"/> bytes.</summary>
    private static int WholeLinesFitting(ReadOnlySpan<byte> lines, long room)
    {
        if (room >= lines.Length)
        {
            return lines.Length;
        }
        if (room <= 0)
        {
            return 0;
        }
        return lines[..(int)room].LastIndexOf((byte)'\n') + 1;
    }

    private void AppendLocked(ReadOnlySpan<byte> line)
    {
        if (_file is not null && _length > 0 && _length + line.Length > MaxBytes)
        {
            Rotate();
        }

        // A failed rotation or write leaves no file open; the next Write tries again from scratch.
        if (_file is null)
        {
            Open(mustCreate: false);
        }

        _file!.Append(line);
        _length += line.Length;
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
            _file?.Dispose();
            _file = null;
        }
    }

    private void Open(bool mustCreate)
    {
        _file = _fileSystem.OpenForAppend(Path, mustCreate);
        _length = _file.InitialLength;
    }

    private void Rotate()
    {
        Rotations++;
        _file!.Dispose();
        _file = null;

        if (MaxFiles == 0)
        {
            _fileSystem.Delete(Path);
        }
        else
        {
            _fileSystem.Delete(RotatedPath(MaxFiles));
            for (int n = MaxFiles - 1; n >= 1; n--)
            {
                _fileSystem.Rename(RotatedPath(n), RotatedPath(n + 1));
            }

            _fileSystem.Rename(Path, RotatedPath(1));
        }

        // mustCreate: we just moved the old file away, so anything at the path now was put there by someone else.
        Open(mustCreate: true);
    }

    private string RotatedPath(int n) => $"{Path}.{n}";
}
