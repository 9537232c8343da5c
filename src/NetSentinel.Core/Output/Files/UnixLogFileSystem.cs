using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NetSentinel.Core.Native;

namespace NetSentinel.Core.Output.Files;

/// <summary>
/// Log file operations through libc. The tool runs as root in directories others may write, so the
/// log is opened with O_NOFOLLOW (a symbolic link planted at the path fails the open itself, with no
/// window between a check and the open), created 0600 and then given exactly the configured group and
/// mode (<see cref="LogFilePermissions"/>), so a reader's permission never exists before the group does.
/// </summary>
internal sealed class UnixLogFileSystem(LogFilePermissions permissions) : ILogFileSystem
{
    private const int NewFileMode = LogFilePermissions.PrivateMode;

    public UnixLogFileSystem()
        : this(LogFilePermissions.Private)
    {
    }

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
    private UnixAppendFile Checked(string path, SafeFileHandle handle)
    {
        try
        {
            bool known = FileStatus.TryOf(handle, out FileStatus status);
            if (known)
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
            if (known)
            {
                Apply(path, handle, status);
            }
            return new UnixAppendFile(path, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Gives the file the configured group, then the configured mode: on the open descriptor (no path to swap),
    /// and only once it is known to be ours and locked. An existing log is brought to them too, so a changed
    /// <c>[log] mode</c> applies at the next start and a mode someone widened by hand does not stay.
    /// </summary>
    private void Apply(string path, SafeFileHandle handle, FileStatus status)
    {
        int fd = (int)handle.DangerousGetHandle();
        if (permissions.GroupId is uint gid && status.GroupId != gid && LibC.Fchown(fd, uint.MaxValue, gid) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw LogFileErrors.Refused(path, $"cannot give it group '{permissions.GroupName}' (gid {gid}): {Marshal.GetPInvokeErrorMessage(errno)} — run as root or as a member of that group, or change [log] group");
        }
        if (status.Permissions != permissions.Mode && LibC.Fchmod(fd, (uint)permissions.Mode) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw LogFileErrors.Refused(path, $"cannot set its mode to {LogFilePermissions.FormatMode(permissions.Mode)}: {Marshal.GetPInvokeErrorMessage(errno)}");
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
