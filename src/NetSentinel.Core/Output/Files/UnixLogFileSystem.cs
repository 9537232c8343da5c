using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NetSentinel.Core.Native;

namespace NetSentinel.Core.Output.Files;

/// <summary>
/// Log file operations through libc. The tool runs as root in directories others may write, so the
/// log is opened with O_NOFOLLOW (a symbolic link planted at the path fails the open itself, with no
/// window between a check and the open) and created with mode 0600.
/// </summary>
internal sealed class UnixLogFileSystem : ILogFileSystem
{
    private const int NewFileMode = 0b110_000_000; // 0600: owner read/write only.

    public IAppendFile OpenForAppend(string path, bool mustCreate)
    {
        int flags = UnixOpenFlags.Current.ForLog(mustCreate);
        for (int attempt = 0; ; attempt++)
        {
            int fd = LibC.Open(path, flags, NewFileMode);
            if (fd >= 0)
            {
                return new UnixAppendFile(path, new SafeFileHandle(fd, ownsHandle: true));
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR && attempt < 100)
            {
                continue;
            }

            throw LogFileErrors.OpenFailed(path, errno, mustCreate);
        }
    }

    public void Rename(string from, string to)
    {
        if (LibC.Rename(from, to) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.ENOENT)
            {
                throw LogFileErrors.RotateFailed(from, from, to, Marshal.GetPInvokeErrorMessage(errno));
            }
        }
    }

    public void Delete(string path)
    {
        if (LibC.Unlink(path) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.ENOENT)
            {
                throw LogFileErrors.RotateFailed(path, path, "(deleted)", Marshal.GetPInvokeErrorMessage(errno));
            }
        }
    }
}
