using System.Runtime.InteropServices;

namespace NetSentinel.Core.Native;

/// <summary>&lt;unistd.h&gt;: raw reads and writes that report a vanished file as -1 and errno, not an exception.</summary>
internal static unsafe partial class LibC
{
    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "pread", SetLastError = true)]
    public static partial nint Pread(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Link(string existing, string newPath);

    [LibraryImport(Library, EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unlink(string path);

    [LibraryImport(Library, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    [LibraryImport(Library, EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ReadLink(string path, byte* buffer, nuint size);

    [LibraryImport(Library, EntryPoint = "readlinkat", SetLastError = true)]
    public static partial nint ReadLinkAt(int directoryFd, byte* path, byte* buffer, nuint length);

    /// <summary>Changes an open file's owner and group; uint.MaxValue (-1) leaves one as it is.</summary>
    [LibraryImport(Library, EntryPoint = "fchown", SetLastError = true)]
    public static partial int Fchown(int fd, uint owner, uint group);

    /// <summary>linkat(2): gives an O_TMPFILE file its name (through /proc/self/fd/N and AT_SYMLINK_FOLLOW); fails with EEXIST, never replaces.</summary>
    [LibraryImport(Library, EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LinkAt(int oldDirectoryFd, string oldPath, int newDirectoryFd, string newPath, int flags);

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_FOLLOW = 0x400;

    [LibraryImport(Library, EntryPoint = "geteuid")]
    public static partial uint Geteuid();
}
