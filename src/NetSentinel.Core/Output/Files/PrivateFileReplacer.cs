using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NetSentinel.Core.Identity;
using NetSentinel.Core.Native;

namespace NetSentinel.Core.Output.Files;

/// <summary>
/// Replaces a small private file (mode 0600) atomically — a temporary file in the same directory, fsync,
/// rename — without trusting the directory. The monitor runs as root, so anyone who can create entries there
/// could otherwise plant a symbolic link at a guessable temporary name and have root overwrite its target.
/// The temporary file therefore has an unguessable name and is created with O_CREAT|O_EXCL|O_NOFOLLOW (an
/// entry already there, link or not, fails the open rather than being followed or reused), and a directory
/// others may write is refused unless it is sticky (only an entry's owner can remove or rename it) and the
/// file already there is ours.
/// </summary>
internal static class PrivateFileReplacer
{
    private const int PrivateMode = 0b110_000_000; // 0600

    /// <exception cref="IOException">The directory is not safe, or the file cannot be written or renamed into place; one line.</exception>
    public static void Replace(string path, ReadOnlySpan<byte> content)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? "/";
        if (!OperatingSystem.IsLinux())
        {
            ReplacePortable(full, directory, content);
            return;
        }
        CheckDirectory(full, directory);
        string temporary = TemporaryPath(full, directory);
        int flags = UnixOpenFlags.Current.WriteOnly | UnixOpenFlags.Current.Create | UnixOpenFlags.Current.Exclusive
            | UnixOpenFlags.Current.NoFollow | UnixOpenFlags.Current.CloseOnExec;
        int fd = LibC.Open(temporary, flags, PrivateMode);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException(errno == LibC.EEXIST
                ? $"an entry already exists at the temporary name '{temporary}'"
                : $"cannot create '{temporary}': {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        try
        {
            using (var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, bufferSize: 0))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            if (LibC.Rename(temporary, full) != 0)
            {
                throw new IOException(Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
            }
        }
        catch
        {
            LibC.Unlink(temporary); // the name is ours: we created it with O_EXCL
            throw;
        }
    }

    /// <summary>The directory must be ours (or root's); if others may write it, it must be sticky and the file ours.</summary>
    private static void CheckDirectory(string full, string directory)
    {
        if (!FileStatus.TryOfPath(directory, out FileStatus dir, out int errno, followLinks: true))
        {
            throw new IOException($"cannot use directory '{directory}': {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        uint us = LibC.Geteuid();
        if (dir.OwnerUid != us && dir.OwnerUid != 0)
        {
            throw new IOException($"refusing directory '{directory}': it is owned by uid {dir.OwnerUid}, not by us (uid {us}) or root — use a directory only we can write");
        }
        if (!dir.OthersMayWrite)
        {
            return;
        }
        if (!dir.IsSticky)
        {
            throw new IOException($"refusing directory '{directory}': anyone may write it and it is not sticky — use a directory only we can write");
        }
        if (FileStatus.TryOfPath(full, out FileStatus existing, out _) && (existing.OwnerUid != us || !existing.IsRegular))
        {
            throw new IOException($"refusing '{full}' in the shared directory '{directory}': it is {existing.TypeName} owned by uid {existing.OwnerUid}, not our regular file — remove it or use a directory only we can write");
        }
    }

    /// <summary>A name nobody can guess beside the file: .NAME.tmp-16 hex digits.</summary>
    private static string TemporaryPath(string full, string directory)
    {
        Span<byte> random = stackalloc byte[8];
        KernelRandom.Fill(random);
        return Path.Combine(directory, $".{Path.GetFileName(full)}.tmp-{Convert.ToHexStringLower(random)}");
    }

    private static void ReplacePortable(string full, string directory, ReadOnlySpan<byte> content)
    {
        string temporary = TemporaryPath(full, directory);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // The save already failed and says why; a stray temporary file is the lesser problem.
            }
            throw ex is IOException io ? io : new IOException(ex.Message, ex);
        }
    }
}
