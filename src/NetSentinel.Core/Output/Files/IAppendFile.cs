namespace NetSentinel.Core.Output.Files;

/// <summary>
/// An open log file that only grows: every <see cref="Append"/> reaches the file before it returns, whole or not
/// at all (a failed write is cut back to where it started, so no partial line is ever left).
/// </summary>
internal interface IAppendFile : IDisposable
{
    /// <summary>Size of the file now.</summary>
    long Length { get; }

    /// <summary>Bytes of a partial last line (no final newline) removed when the file was opened, left by a crash or a full disk.</summary>
    long RepairedBytes { get; }

    /// <summary>Throws <see cref="LogFileException"/> (with <see cref="LogFileException.IsDiskFull"/> when space ran out).</summary>
    void Append(ReadOnlySpan<byte> line);

    /// <summary>False when the path no longer names this file (it was deleted, or renamed away and replaced).</summary>
    bool IsStillAt(string path) => true;
}
