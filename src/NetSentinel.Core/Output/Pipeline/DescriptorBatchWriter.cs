using System.Runtime.InteropServices;
using NetSentinel.Core.Native;

namespace NetSentinel.Core.Output.Pipeline;

/// <summary>
/// A Unix file descriptor such as stdout (1), written with write(2) directly. Not through
/// System.Console: its streams share one lock, so a stdout pipe nobody reads would also block every
/// stderr line of the monitor.
/// </summary>
public sealed class DescriptorBatchWriter : IBatchWriter
{
    /// <summary>
    /// The capacity asked for when the descriptor is a pipe on Linux (the default cap of /proc/sys/fs/pipe-max-size):
    /// a reader of <c>--json</c> that pauses (a busy host, a burst of a scan's lines) then finds ~350 lines waiting
    /// in the pipe instead of ~20 in its default 64 KiB, before the output's queue fills and drops lines.
    /// </summary>
    public const int PipeBytes = 1 << 20;

    private readonly int _fd;

    public DescriptorBatchWriter(int fd)
    {
        _fd = fd;
        if (OperatingSystem.IsLinux())
        {
            // Not a pipe (a file, a terminal) or a cap below it for an unprivileged user: the call fails and nothing changes.
            LibC.Fcntl(fd, LibC.F_SETPIPE_SZ, PipeBytes);
        }
    }

    public unsafe void Write(ReadOnlySpan<byte> lines)
    {
        fixed (byte* start = lines)
        {
            int written = 0;
            while (written < lines.Length)
            {
                nint n = LibC.Write(_fd, start + written, (nuint)(lines.Length - written));
                if (n > 0)
                {
                    written += (int)n;
                    continue;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (n < 0 && errno == LibC.EINTR) continue;
                throw new IOException($"write to descriptor {_fd} failed: {(n == 0 ? "no bytes accepted" : Marshal.GetPInvokeErrorMessage(errno))}");
            }
        }
    }

    public void Dispose()
    {
    }
}
