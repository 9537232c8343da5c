using System.Runtime.InteropServices;
using NetSentinel.Core.Native;

namespace NetSentinel.Core.Output.Files;

/// <summary>
/// An exclusive lock on a whole open log file, so a second monitor on the same log is refused at start. It is an
/// open-file-description lock (fcntl F_OFD_SETLK, Linux 3.15+): held by the open file and released when it closes,
/// and invisible to the flock(2) locks .NET takes for its own readers, so a .NET tool reading the log still can.
/// </summary>
internal static class LogFileLock
{
    private const int FOfdSetLk = 37;
    private const short FWrLck = 1;
    private const short SeekSet = 0;

    /// <summary>True when locked (or locking is not available here); false when another open file holds the lock.</summary>
    /// <exception cref="IOException">The lock could not be asked for.</exception>
    public static unsafe bool TryLock(int fd)
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }
        // struct flock on Linux (x86-64, arm64, ...): l_type, l_whence (short), l_start, l_len (off_t), l_pid (int).
        byte* lockRequest = stackalloc byte[32];
        new Span<byte>(lockRequest, 32).Clear();
        *(short*)lockRequest = FWrLck;
        *(short*)(lockRequest + 2) = SeekSet;
        if (LibC.Fcntl(fd, FOfdSetLk, lockRequest) == 0)
        {
            return true;
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno is LibC.EAGAIN or LibC.EACCES)
        {
            return false;
        }
        throw new IOException(Marshal.GetPInvokeErrorMessage(errno));
    }
}
