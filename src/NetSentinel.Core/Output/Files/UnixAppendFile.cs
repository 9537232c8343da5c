using Microsoft.Win32.SafeHandles;
using NetSentinel.Core.Native;

namespace NetSentinel.Core.Output.Files;

/// <summary>
/// A log file opened with open(2): O_APPEND makes every write land at the end even if another
/// writer shares the file, and each line is written with write(2) so a reader sees it at once.
/// It is not fsync'ed per line: visibility to readers and survival of our own crash need only the
/// kernel to have the data.
/// </summary>
internal sealed class UnixAppendFile : IAppendFile
{
    private readonly string _path;
    private readonly SafeFileHandle _handle;

    public UnixAppendFile(string path, SafeFileHandle handle)
    {
        _path = path;
        _handle = handle;
        InitialLength = RandomAccess.GetLength(handle);
    }

    public long InitialLength { get; }

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

                    int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    if (n < 0 && errno == LibC.EINTR && attempt < 100)
                    {
                        continue;
                    }

                    throw LogFileErrors.WriteFailed(_path, n == 0 ? "the file accepted no bytes" : System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno));
                }
            }
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    public void Dispose() => _handle.Dispose();
}
