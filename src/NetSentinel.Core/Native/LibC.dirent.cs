using System.Runtime.InteropServices;

namespace NetSentinel.Core.Native;

/// <summary>&lt;dirent.h&gt; (the raw syscall): linux_dirent64 records, without the per-entry string Directory.Enumerate* would allocate.</summary>
internal static unsafe partial class LibC
{
    [LibraryImport(Library, EntryPoint = "getdents64", SetLastError = true)]
    public static partial nint GetDents64(int fd, void* buffer, nuint length);
}
