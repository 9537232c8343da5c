using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NetSentinel.Core.Native;

namespace NetSentinel.Core.Output.Files;

/// <summary>
/// A log file opened with open(2): O_APPEND makes every write land at the end, and each line is written with
/// write(2) so a reader sees it at once. It is not fsync'ed per line: visibility to readers and survival of our
/// own crash need only the kernel to have the data. The file is ours alone while open (an exclusive lock taken
/// by <see cref="UnixLogFileSystem"/>), so its length is known and a failed write can be cut back to it.
/// </summary>
internal sealed class UnixAppendFile : IAppendFile
{
    /// <summary>How far back a partial last line is looked for at open; a longer "line" is ended, not cut.</summary>
    private const int RepairScanBytes = 1024 * 1024;

    private readonly string _path;
    private readonly SafeFileHandle _handle;

    public UnixAppendFile(string path, SafeFileHandle handle)
    {
        _path = path;
        _handle = handle;
        Length = RandomAccess.GetLength(handle);
        RepairPartialLastLine();
    }

    public long Length { get; private set; }

    public long RepairedBytes { get; private set; }

    public unsafe void Append(ReadOnlySpan<byte> line)
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            int fd = (int)_handle.DangerousGetHandle();
            fixed (byte* start = line)
            {
                int written = 0;
                // Bounded: each pass either writes at least one byte or is an EINTR retry, which is rare.
                for (int attempt = 0; written < line.Length; attempt++)
                {
                    nint n = LibC.Write(fd, start + written, (nuint)(line.Length - written));
                    if (n > 0)
                    {
                        written += (int)n;
                        continue;
                    }

                    int errno = Marshal.GetLastPInvokeError();
                    if (n < 0 && errno == LibC.EINTR && attempt < 100)
                    {
                        continue;
                    }

                    // Never leave part of a line: cut the file back to where this write started.
                    if (written > 0)
                    {
                        LibC.Ftruncate(fd, Length);
                    }
                    bool full = n == 0 || errno is LibC.ENOSPC or LibC.EDQUOT;
                    throw LogFileErrors.WriteFailed(_path, n == 0 ? "the file accepted no bytes" : Marshal.GetPInvokeErrorMessage(errno), full);
                }
            }
            Length += line.Length;
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    public bool IsStillAt(string path) =>
        !FileStatus.TryOf(_handle, out FileStatus open)
        || (FileStatus.TryOfPath(path, out FileStatus atPath, out _) && atPath.SameFileAs(open));

    public void Dispose() => _handle.Dispose();

    /// <summary>A file not ending in '\n' was cut short (a crash, a full disk before this version): drop the fragment so the next line is not glued to it.</summary>
    private unsafe void RepairPartialLastLine()
    {
        if (Length == 0)
        {
            return;
        }
        int fd = (int)_handle.DangerousGetHandle();
        byte[] chunk = new byte[64 * 1024];
        long end = Length;
        long scanned = 0;
        while (end > 0 && scanned < RepairScanBytes)
        {
            int size = (int)Math.Min(chunk.Length, end);
            int read = RandomAccess.Read(_handle, chunk.AsSpan(0, size), end - size);
            if (read != size)
            {
                return; // the file changed under us; leave it as it is
            }
            int newline = chunk.AsSpan(0, size).LastIndexOf((byte)'\n');
            if (end == Length && newline == size - 1)
            {
                return; // ends with a whole line: the usual case
            }
            if (newline >= 0)
            {
                Cut(fd, end - size + newline + 1);
                return;
            }
            end -= size;
            scanned += size;
        }
        if (end == 0)
        {
            Cut(fd, 0); // the whole file is one unfinished line
        }
        else
        {
            // No line end within the scan: end the fragment rather than cut an unknown amount of data.
            fixed (byte* newline = "\n"u8)
            {
                if (LibC.Write(fd, newline, 1) == 1)
                {
                    Length++;
                    RepairedBytes = 1;
                }
            }
        }
    }

    private void Cut(int fd, long length)
    {
        if (LibC.Ftruncate(fd, length) == 0)
        {
            RepairedBytes = Length - length;
            Length = length;
        }
    }
}
