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
                return Checked(path, new SafeFileHandle(fd, ownsHandle: true));
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR && attempt < 100)
            {
                continue;
            }

            throw LogFileErrors.OpenFailed(path, errno, mustCreate);
        }
    }

    /// <summary>
    /// What was opened must be a log only we write: a regular file with one name (a hard link would let whoever
    /// made it read or redirect our lines), owned by us, and not locked by another monitor (an exclusive lock,
    /// held while the file is open: two monitors on one log would rotate each other's files away).
    /// </summary>
    private static UnixAppendFile Checked(string path, SafeFileHandle handle)
    {
        try
        {
            if (FileStatus.TryOf(handle, out FileStatus status))
            {
                if (!status.IsRegular)
                {
                    throw LogFileErrors.Refused(path, $"it is {status.TypeName} — choose another --log-file");
                }
                if (status.Links > 1)
                {
                    throw LogFileErrors.Refused(path, $"it has {status.Links} hard links — a log must have one name; remove the other links or choose another --log-file");
                }
                uint us = LibC.Geteuid();
                if (status.OwnerUid != us)
                {
                    throw LogFileErrors.Refused(path, $"it is owned by uid {status.OwnerUid}, not by us (uid {us}) — remove it or choose another --log-file");
                }
            }
            bool locked;
            try
            {
                locked = LogFileLock.TryLock((int)handle.DangerousGetHandle());
            }
            catch (IOException e)
            {
                throw LogFileErrors.Refused(path, $"cannot lock it: {e.Message}");
            }
            if (!locked)
            {
                throw LogFileErrors.Refused(path, "another net-sentinel is already writing it — stop that one or choose another --log-file");
            }
            return new UnixAppendFile(path, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public string? Blocks(string path) =>
        FileStatus.TryOfPath(path, out FileStatus status, out _) && status.IsDirectory ? status.TypeName
        : FileStatus.IsSupported ? null
        : Directory.Exists(path) ? "a directory" : null;

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
