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

    /// <summary>
    /// An existing log is opened as it is. A new one is made complete before it has a name: created unnamed in
    /// the log's directory (O_TMPFILE), given its group and mode, then named by linkat, which never replaces
    /// an entry. A shipper watching the directory (rsyslog's imfile in inotify mode) opens the file the moment
    /// the name appears: created under its name and fixed afterwards, the file would refuse it for that moment
    /// (EACCES) and rsyslog would not come back to it. Where O_TMPFILE or /proc is missing (macOS, some file
    /// systems) the file is created under its name with O_CREAT and given its group and mode right after.
    /// </summary>
    public IAppendFile OpenForAppend(string path, bool mustCreate)
    {
        if (!mustCreate && OpenExisting(path) is { } existing)
        {
            return Checked(path, existing);
        }
        return Checked(path, CreateComplete(path) ?? Open(path, UnixOpenFlags.Current.ForLog(mustCreate), mustCreate));
    }

    /// <summary>The log at <paramref name="path"/>, or null when there is none yet.</summary>
    private static SafeFileHandle? OpenExisting(string path)
    {
        try
        {
            return Open(path, UnixOpenFlags.Current.ForExistingLog(), mustCreate: false);
        }
        catch (LogFileException) when (!FileStatus.TryOfPath(path, out _, out int errno) && errno == LibC.ENOENT)
        {
            return null;
        }
    }

    private static SafeFileHandle Open(string path, int flags, bool mustCreate)
    {
        for (int attempt = 0; ; attempt++)
        {
            int fd = LibC.Open(path, flags, NewFileMode);
            if (fd >= 0)
            {
                return new SafeFileHandle(fd, ownsHandle: true);
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
    /// A new log that appears at <paramref name="path"/> with its group and mode already set; null when that cannot
    /// be done here (no O_TMPFILE, no /proc) or the name was taken meanwhile: the caller then opens by name.
    /// </summary>
    private SafeFileHandle? CreateComplete(string path)
    {
        UnixOpenFlags flags = UnixOpenFlags.Current;
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (flags.TempFile == 0 || directory is null)
        {
            return null;
        }
        int fd = LibC.Open(directory, flags.ForUnnamedLog(), NewFileMode);
        if (fd < 0)
        {
            return null; // unsupported here, or the directory is unusable: the open by name reports why
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (FileStatus.TryOf(handle, out FileStatus status))
            {
                Apply(path, handle, status);
            }
            string self = "/proc/self/fd/" + fd.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (LibC.LinkAt(LibC.AT_FDCWD, self, LibC.AT_FDCWD, path, LibC.AT_SYMLINK_FOLLOW) == 0)
            {
                return handle;
            }
            handle.Dispose();
            return null;
        }
        catch
        {
            handle.Dispose();
            throw;
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
