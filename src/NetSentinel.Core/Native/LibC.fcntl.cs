using System.Runtime.InteropServices;

namespace NetSentinel.Core.Native;

/// <summary>&lt;fcntl.h&gt;: open, openat, fcntl. The O_* values are Linux's; portable code takes them from UnixOpenFlags, which detects the OS.</summary>
internal static unsafe partial class LibC
{
    public const int O_RDONLY = 0;
    public const int O_DIRECTORY = 0x10000;
    public const int O_CLOEXEC = 0x80000;

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode = 0);

    /// <summary>A NUL-terminated path straight from a buffer: hot loops over /proc need no string per entry.</summary>
    [LibraryImport(Library, EntryPoint = "open", SetLastError = true)]
    public static partial int Open(byte* path, int flags);

    [LibraryImport(Library, EntryPoint = "openat", SetLastError = true)]
    public static partial int OpenAt(int directoryFd, byte* path, int flags);

    /// <summary>Linux's fcntl commands for a pipe's capacity (F_LINUX_SPECIFIC_BASE + 7 and + 8).</summary>
    public const int F_SETPIPE_SZ = 1031;
    public const int F_GETPIPE_SZ = 1032;

    /// <summary>fcntl(2) with an integer argument (F_SETPIPE_SZ).</summary>
    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    /// <summary>fcntl(2) with a pointer argument (F_OFD_SETLK and its struct flock: the log's lock).</summary>
    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, void* argument);
}
