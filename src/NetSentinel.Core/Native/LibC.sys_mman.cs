using System.Runtime.InteropServices;

namespace NetSentinel.Core.Native;

/// <summary>&lt;sys/mman.h&gt;: views of a kernel map's pages (the event ring buffer, read in place).</summary>
internal static unsafe partial class LibC
{
    public const int PROT_READ = 0x1;
    public const int PROT_WRITE = 0x2;
    public const int MAP_SHARED = 0x01;

    /// <summary>mmap's failure value, (void*)-1.</summary>
    public static readonly nint MAP_FAILED = -1;

    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(void* address, nuint length);
}
