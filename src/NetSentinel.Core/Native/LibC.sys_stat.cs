using System.Runtime.InteropServices;

namespace NetSentinel.Core.Native;

/// <summary>&lt;sys/stat.h&gt;: fchmod, and statx (Linux, glibc 2.28+), whose buffer layout is the same on every architecture, unlike struct stat.</summary>
internal static unsafe partial class LibC
{
    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int directoryFd, string path, int flags, uint mask, byte* buffer);

    /// <summary>Sets an open file's permission bits (not reduced by the umask, unlike open's mode).</summary>
    [LibraryImport(Library, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int Fchmod(int fd, uint mode);
}
