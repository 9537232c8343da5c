using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Native;

/// <summary>
/// The few libc calls the snapshot and /proc readers need. Source-generated (NativeAOT-safe);
/// byte-pointer paths so hot loops can pass NUL-terminated names straight from a kernel buffer.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc";

    public const int AF_NETLINK = 16;
    public const int SOCK_RAW = 3;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int NETLINK_SOCK_DIAG = 4;

    public const int O_RDONLY = 0;
    public const int O_DIRECTORY = 0x10000;
    public const int O_CLOEXEC = 0x80000;

    public const int EINTR = 4;
    public const int ENOENT = 2;
    public const int EACCES = 13;
    public const int ERANGE = 34;

    [LibraryImport(Library, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Library, EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(int fd, void* buffer, nuint length, int flags, void* address, uint addressLength);

    [LibraryImport(Library, EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, void* buffer, nuint length, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true)]
    public static partial int Open(byte* path, int flags);

    [LibraryImport(Library, EntryPoint = "openat", SetLastError = true)]
    public static partial int OpenAt(int directoryFd, byte* path, int flags);

    /// <summary>Reads raw linux_dirent64 records; avoids the per-entry string that Directory.Enumerate* would allocate.</summary>
    [LibraryImport(Library, EntryPoint = "getdents64", SetLastError = true)]
    public static partial nint GetDents64(int fd, void* buffer, nuint length);

    [LibraryImport(Library, EntryPoint = "readlinkat", SetLastError = true)]
    public static partial nint ReadLinkAt(int directoryFd, byte* path, byte* buffer, nuint length);

    [LibraryImport(Library, EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    /// <summary>Returns 0 and sets *result (NULL when no such user), or an errno value (ERANGE: buffer too small).</summary>
    [LibraryImport(Library, EntryPoint = "getpwuid_r")]
    public static partial int GetPwUidR(uint uid, void* passwd, byte* buffer, nuint length, void** result);
}
