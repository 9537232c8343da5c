using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NetSentinel.Core.Output.Files;
using NetSentinel.Core.Native;

namespace NetSentinel.Core.Configuration;

/// <summary>
/// Opens a file the operator names as input (-c, blocklist.file, baseline.state_file, a replayed log) so that
/// no path can hang or swamp the monitor: the open does not wait (O_NONBLOCK: a FIFO opens at once), only a
/// regular file is accepted (not a FIFO, device, socket or directory), and readers bound the bytes they read
/// rather than trusting the reported size (a device reports 0).
/// </summary>
public static class InputFile
{
    /// <summary>Opens <paramref name="path"/> for reading; <paramref name="what"/> names the input in the message ("config file").</summary>
    /// <exception cref="InputFileException">Missing, unreadable, or not a regular file.</exception>
    public static FileStream Open(string path, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(what);
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            throw Refused(path, what, "not a valid file path");
        }
        return OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? OpenUnix(path, what) : OpenPortable(path, what);
    }

    /// <summary>The whole file, refused when it holds more than <paramref name="maxBytes"/> (counted while reading, not from its size).</summary>
    /// <exception cref="InputFileException">As <see cref="Open"/>, or larger than the bound.</exception>
    public static byte[] ReadAll(string path, string what, int maxBytes)
    {
        using FileStream stream = Open(path, what);
        var buffer = new byte[Math.Min((long)maxBytes + 1, Math.Max(4096, SafeLength(stream) + 1))];
        int total = 0;
        try
        {
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (total > maxBytes)
                    {
                        break;
                    }
                    Array.Resize(ref buffer, (int)Math.Min((long)maxBytes + 1, (long)buffer.Length * 2));
                }
                int read = stream.Read(buffer, total, buffer.Length - total);
                if (read <= 0)
                {
                    break;
                }
                total += read;
            }
        }
        catch (IOException ex)
        {
            throw Refused(path, what, MonitorConfigFile.OneLine(ex.Message), ex);
        }
        if (total > maxBytes)
        {
            throw Refused(path, what, $"larger than {Size(maxBytes)} — is this the right file?");
        }
        return buffer.AsSpan(0, total).ToArray();
    }

    internal static string Size(long bytes) =>
        bytes >= 1024 * 1024 ? $"{bytes / 1024 / 1024} MiB" : bytes >= 1024 ? $"{bytes / 1024} KiB" : $"{bytes} bytes";

    private static long SafeLength(FileStream stream)
    {
        try
        {
            return stream.Length;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static FileStream OpenUnix(string path, string what)
    {
        int fd;
        int attempt = 0;
        while ((fd = LibC.Open(path, UnixOpenFlags.Current.ForInput(), 0)) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR && ++attempt < 100)
            {
                continue;
            }
            throw Refused(path, what, errno switch
            {
                LibC.ENOENT => "file not found",
                LibC.EACCES => "permission denied",
                _ => MonitorConfigFile.OneLine(Marshal.GetPInvokeErrorMessage(errno)),
            });
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (FileStatus.TryOf(handle, out FileStatus status) && !status.IsRegular)
            {
                throw Refused(path, what, $"it is {status.TypeName}, not a regular file");
            }
            if (!FileStatus.IsSupported && Directory.Exists(path))
            {
                throw Refused(path, what, "it is a directory, not a regular file");
            }
            return new FileStream(handle, FileAccess.Read, bufferSize: 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static FileStream OpenPortable(string path, string what)
    {
        try
        {
            if (Directory.Exists(path))
            {
                throw Refused(path, what, "it is a directory, not a regular file");
            }
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Refused(path, what, "file not found", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw Refused(path, what, "permission denied", ex);
        }
        catch (IOException ex)
        {
            throw Refused(path, what, MonitorConfigFile.OneLine(ex.Message), ex);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            throw Refused(path, what, "not a valid file path", ex);
        }
    }

    private static InputFileException Refused(string path, string what, string why, Exception? inner = null) =>
        new($"cannot read {what} '{MonitorConfigFile.OneLine(path)}': {why}", inner);
}
