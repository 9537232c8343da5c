using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Native;

/// <summary>The few libc calls .NET does not expose: opening a directory fd for cgroup attach, the effective uid,
/// and open/read that report a vanished /proc entry as -1 instead of an exception.</summary>
internal static partial class LibC
{
    public const int ORdOnly = 0;
    public const int ODirectory = 0x10000;
    public const int OCloexec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial nint ReadLink(string path, byte* buffer, nuint size);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directoryFd, string path, int flags, uint mask, byte* buffer);

    /// <summary>The inode number of <paramref name="path"/> (statx stx_ino, not following a final symlink), or null.</summary>
    public static unsafe ulong? Inode(string path)
    {
        const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100;
        const uint StatxIno = 0x100;
        byte* buffer = stackalloc byte[256];
        return Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxIno, buffer) == 0 ? *(ulong*)(buffer + 32) : null; // stx_ino at offset 32
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealPathRaw(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(nint pointer);

    /// <summary>The canonical absolute path (every symlink resolved), or null when it cannot be resolved.</summary>
    public static string? RealPath(string path)
    {
        nint resolved = RealPathRaw(path, 0);
        if (resolved == 0) return null;
        try { return Marshal.PtrToStringUTF8(resolved); }
        finally { Free(resolved); }
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUid();
}
