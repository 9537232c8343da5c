using System.Runtime.InteropServices;

namespace NetSentinel.Core.Native;

/// <summary>&lt;sys/random.h&gt;: getrandom, the kernel's CSPRNG (Linux 3.17, glibc 2.25).</summary>
internal static partial class LibC
{
    [LibraryImport(Library, EntryPoint = "getrandom", SetLastError = true)]
    public static unsafe partial nint GetRandom(byte* buffer, nuint length, uint flags);
}
