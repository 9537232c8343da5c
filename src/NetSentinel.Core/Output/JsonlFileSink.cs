using System.Buffers;
using NetSentinel.Core.Output.Files;

namespace NetSentinel.Core.Output;

/// <summary>
/// Appends each record as one JSON line to a log file and hands it to the kernel before returning,
/// so a reader (tail -f, a log shipper) sees complete lines while we run and nothing is lost if we
/// are killed. A new file is created with mode 0600, or the mode and group of <see cref="LogFilePermissions"/>
/// (<c>[log] mode</c>, <c>group</c>), which an existing log is brought to as well; a symbolic link, a file with another link, a file
/// owned by someone else or a log another monitor holds is refused.
/// <para>
/// Rotation by size: before a line that would take the file past <see cref="MaxBytes"/>, x.jsonl.(n-1)
/// becomes x.jsonl.n … x.jsonl becomes x.jsonl.1, the oldest beyond <see cref="MaxFiles"/> is deleted,
/// and a new x.jsonl is started. A line is never split across files; a single line longer than
/// MaxBytes goes alone into a file of its own. A slot that cannot be used (a directory planted at
/// x.jsonl.3) is skipped and reported; rotation never stops the monitor.
/// </para>
/// <para>
/// The file is never left with part of a line: a failed write is cut back, and a partial last line found at
/// open is removed (<c>log_repaired</c>). When the disk is full, <see cref="DiskFullAction.Drop"/> counts the
/// lines it could not write and writes <c>log_lines_dropped</c> once space returns; <see cref="DiskFullAction.Stop"/>
/// raises <see cref="Stopping"/>. At most once a second (and on <see cref="Reopen"/>, i.e. SIGHUP) the path is
/// compared with the open file: a log deleted or moved away is reopened, with a <c>log_reopened</c> line.
/// </para>
/// </summary>
public sealed class JsonlFileSink : IRecordSink
{
    public const long DefaultMaxBytes = 10 * 1024 * 1024;
    public const int DefaultMaxFiles = 5;

    /// <summary>How often, at most, the path is compared with the open file (one statx pair).</summary>
    public static readonly TimeSpan PathCheckInterval = TimeSpan.FromSeconds(1);

    private readonly EcsJsonFormatter _formatter;
    private readonly ILogFileSystem _fileSystem;
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private readonly Lock _gate = new();
    private readonly Action<string> _report;
    private IAppendFile? _file;
    private long _length;
    private long _nextPathCheck;
    private long _droppedSinceSpace;
    private bool _diskFull;
    private bool _disposed;

    /// <summary>Opens (or creates) the log now, so a bad path is reported at start-up, not at the first alert.</summary>
    /// <exception cref="LogFileException">The path is refused (link, directory, other owner, another monitor's), in a missing directory, or not writable.</exception>
    /// <param name="permissions">Mode and group of the file and of every file rotation starts (Unix); default 0600, the monitor's group.</param>
    public JsonlFileSink(string path, EcsJsonFormatter? formatter = null, long maxBytes = DefaultMaxBytes, int maxFiles = DefaultMaxFiles,
        DiskFullAction diskFullAction = DiskFullAction.Drop, Action<string>? report = null, LogFilePermissions? permissions = null)
        : this(path, formatter, maxBytes, maxFiles, ILogFileSystem.ForCurrentPlatform(permissions ?? LogFilePermissions.Private), diskFullAction, report)
    {
    }

    internal JsonlFileSink(string path, EcsJsonFormatter? formatter, long maxBytes, int maxFiles, ILogFileSystem fileSystem,
        DiskFullAction diskFullAction = DiskFullAction.Drop, Action<string>? report = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxFiles);
        Path = path;
        MaxBytes = maxBytes;
        MaxFiles = maxFiles;
        DiskFullAction = diskFullAction;
        _formatter = formatter ?? new EcsJsonFormatter();
        _fileSystem = fileSystem;
        _report = report ?? (_ => { });
        Open(mustCreate: false);
    }

    public string Path { get; }

    /// <summary>Size a file may reach before the next line goes to a new one.</summary>
    public long MaxBytes { get; }

    /// <summary>How many rotated files (x.jsonl.1 … x.jsonl.N) are kept besides the current one.</summary>
    public int MaxFiles { get; }

    public DiskFullAction DiskFullAction { get; }

    /// <summary>Lines not written because the disk was full (<see cref="DiskFullAction.Drop"/>), since the sink was opened.</summary>
    public long LinesDropped { get; private set; }

    /// <summary>Rotations done since the sink was opened.</summary>
    public long Rotations { get; private set; }

    /// <summary>Times the log was reopened because its path no longer named the open file, or on <see cref="Reopen"/>.</summary>
    public long Reopens { get; private set; }

    /// <summary>Raised (once) with a one-line reason when the disk is full and <see cref="DiskFullAction"/> is Stop.</summary>
    public event Action<string>? Stopping;

    /// <exception cref="LogFileException">The line could not be written (other than a full disk under Drop) or the log could not be reopened.</exception>
    public void Write(LogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _line.ResetWrittenCount();
            _formatter.WriteLine(record, _line);
            CheckPathIfDue();
            if ((_diskFull && !TryWriteDroppedNotice()) || !Append(_line.WrittenSpan))
            {
                _droppedSinceSpace++;
                LinesDropped++;
            }
        }
    }

    /// <summary>
    /// Appends already formatted whole lines (each ending with '\n'; the output pipeline's batch of one
    /// drain) in as few writes as rotation allows: one write when the batch fits the current file,
    /// otherwise split at the last line that fits, so a line is still never split across files.
    /// A full disk is handled as for <see cref="Write"/>: the batch's lines are dropped and counted (Drop).
    /// </summary>
    /// <exception cref="LogFileException">As <see cref="Write"/>.</exception>
    public void WriteLines(ReadOnlySpan<byte> lines)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            CheckPathIfDue();
            while (!lines.IsEmpty)
            {
                int take = WholeLinesFitting(lines, MaxBytes - _length);
                if (take == 0)
                {
                    // Not even the first line fits what is left: it starts a new file (alone, if it is longer than MaxBytes).
                    int first = lines.IndexOf((byte)'\n') + 1;
                    take = first > 0 ? first : lines.Length;
                }
                ReadOnlySpan<byte> chunk = lines[..take];
                if ((_diskFull && !TryWriteDroppedNotice()) || !Append(chunk))
                {
                    int count = Math.Max(1, chunk.Count((byte)'\n'));
                    _droppedSinceSpace += count;
                    LinesDropped += count;
                }
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

    /// <summary>
    /// Closes the log and opens the path again (SIGHUP, as logrotate expects): after the file was moved away, a
    /// new one is started. Writes a <c>log_reopened</c> line saying <paramref name="why"/>.
    /// </summary>
    /// <exception cref="LogFileException">The path cannot be opened now; the next write tries again.</exception>
    public void Reopen(string why)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ReopenLocked(why);
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
            _file?.Dispose();
            _file = null;
        }
    }

    /// <summary>Writes whole lines; false when the disk is full and the lines were not written (Drop).</summary>
    private bool Append(ReadOnlySpan<byte> line)
    {
        if (_file is not null && _length > 0 && _length + line.Length > MaxBytes)
        {
            Rotate();
        }

        // A failed open leaves no file open; the next Write tries again from scratch.
        if (_file is null)
        {
            Open(mustCreate: false);
        }

        try
        {
            _file!.Append(line);
            _length += line.Length;
            return true;
        }
        catch (LogFileException e) when (e.IsDiskFull)
        {
            if (DiskFullAction == DiskFullAction.Stop)
            {
                Stopping?.Invoke($"{e.Message}; stopping (log.disk_full_action = \"stop\")");
                Stopping = null;
                throw;
            }
            if (!_diskFull)
            {
                _diskFull = true;
                _report($"{e.Message}; dropping lines until space returns (log.disk_full_action = \"drop\"), they are counted");
            }
            return false;
        }
    }

    /// <summary>Space may be back: say how many lines were lost before writing the next one; false while still full.</summary>
    private bool TryWriteDroppedNotice()
    {
        if (!WriteNotice(LogFileNoticeRecord.LinesDropped,
                $"{_droppedSinceSpace} line(s) could not be written to this log: the disk was full ({LinesDropped} since start)", _droppedSinceSpace, LinesDropped))
        {
            return false;
        }
        _report($"log '{Path}': writing again; {_droppedSinceSpace} line(s) were dropped while the disk was full");
        _diskFull = false;
        _droppedSinceSpace = 0;
        return true;
    }

    /// <summary>Notices are rare: each is formatted into its own buffer, so one written while another is being written cannot clobber it.</summary>
    private bool WriteNotice(string action, string message, long? dropped = null, long? totalDropped = null) =>
        Append(_formatter.FormatLine(new LogFileNoticeRecord
        {
            Timestamp = DateTimeOffset.UtcNow, Source = "log", Action = action, Message = message, Dropped = dropped, TotalDropped = totalDropped,
        }));

    private void CheckPathIfDue()
    {
        long now = Environment.TickCount64;
        if (now < _nextPathCheck || _file is null)
        {
            return;
        }
        _nextPathCheck = now + (long)PathCheckInterval.TotalMilliseconds;
        if (!_file.IsStillAt(Path))
        {
            ReopenLocked("the log file was deleted or moved away; reopened the path");
        }
    }

    private void ReopenLocked(string why)
    {
        _file?.Dispose();
        _file = null;
        Open(mustCreate: false);
        Reopens++;
        _report($"log '{Path}': {why}");
        WriteNotice(LogFileNoticeRecord.Reopened, why);
    }

    private void Open(bool mustCreate)
    {
        _file = _fileSystem.OpenForAppend(Path, mustCreate);
        _length = _file.Length;
        _nextPathCheck = Environment.TickCount64 + (long)PathCheckInterval.TotalMilliseconds;
        if (_file.RepairedBytes > 0)
        {
            string what = $"removed a partial last line ({_file.RepairedBytes} bytes) left by a crash or a full disk";
            _report($"log '{Path}': {what}");
            WriteNotice(LogFileNoticeRecord.Repaired, what);
        }
    }

    /// <summary>Rotation problems are reported and survived: an unusable slot is skipped, and if the log cannot be moved at all it keeps growing.</summary>
    private void Rotate()
    {
        Rotations++;
        _file!.Dispose();
        _file = null;

        try
        {
            if (MaxFiles == 0)
            {
                _fileSystem.Delete(Path);
            }
            else
            {
                ShiftRotatedFiles();
            }
        }
        catch (LogFileException e)
        {
            _report($"{e.Message}; writing on in the current file");
        }

        try
        {
            // mustCreate: we just moved the old file away, so anything at the path now was put there by someone else.
            Open(mustCreate: true);
        }
        catch (LogFileException e)
        {
            _report($"{e.Message}; appending to it after the same checks as at start");
            Open(mustCreate: false);
        }
    }

    /// <summary>Moves x.jsonl to the first usable slot, shifting the usable rotated files up and deleting the oldest.</summary>
    private void ShiftRotatedFiles()
    {
        var usable = new List<int>(MaxFiles);
        for (int n = 1; n <= MaxFiles; n++)
        {
            if (_fileSystem.Blocks(RotatedPath(n)) is { } what)
            {
                _report($"log rotation: skipping '{RotatedPath(n)}': it is {what} — remove it to use that slot again");
            }
            else
            {
                usable.Add(n);
            }
        }
        if (usable.Count == 0)
        {
            throw LogFileErrors.RotateFailed(Path, Path, RotatedPath(1), "no rotation slot is usable");
        }
        _fileSystem.Delete(RotatedPath(usable[^1]));
        for (int i = usable.Count - 1; i >= 1; i--)
        {
            try
            {
                _fileSystem.Rename(RotatedPath(usable[i - 1]), RotatedPath(usable[i]));
            }
            catch (LogFileException e)
            {
                _report($"{e.Message}; that file stays where it is");
            }
        }
        _fileSystem.Rename(Path, RotatedPath(usable[0]));
    }

    private string RotatedPath(int n) => $"{Path}.{n}";
}
