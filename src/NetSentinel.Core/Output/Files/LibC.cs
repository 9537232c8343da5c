using System.Runtime.InteropServices;

namespace NetSentinel.Core.Output.Files;

/// <summary>
/// libc calls .NET's file API does not offer: open(2) with O_NOFOLLOW (refuse a symbolic link at the
/// log path atomically, not by a racy check first), raw write/rename/unlink on the entry itself, statx for
/// what an entry is (type, inode, links, owner), ftruncate/fcntl for the log's repair and lock.
/// </summary>
internal static partial class LibC
{
    private const string Library = "libc";

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rename(string from, string to);

    [LibraryImport(Library, EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unlink(string path);

    /// <summary>statx(2) (Linux, glibc 2.28+): its buffer layout is the same on every architecture, unlike struct stat.</summary>
    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int Statx(int directoryFd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport(Library, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    /// <summary>fcntl(2) with a pointer argument (F_OFD_SETLK and its struct flock).</summary>
    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    public static unsafe partial int Fcntl(int fd, int command, void* argument);

    [LibraryImport(Library, EntryPoint = "pread", SetLastError = true)]
    public static unsafe partial nint Pread(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Library, EntryPoint = "geteuid")]
    public static partial uint Geteuid();
}
