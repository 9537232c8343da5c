using System.Runtime.InteropServices;

namespace NetSentinel.Core.Native;

/// <summary>&lt;stdlib.h&gt;: realpath, and free for what it allocates.</summary>
internal static partial class LibC
{
    [LibraryImport(Library, EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealPathRaw(string path, nint resolved);

    [LibraryImport(Library, EntryPoint = "free")]
    private static partial void Free(nint pointer);

    /// <summary>The canonical absolute path (every symlink resolved), or null when it cannot be resolved.</summary>
    public static string? RealPath(string path)
    {
        nint resolved = RealPathRaw(path, 0);
        if (resolved == 0) return null;
        try { return Marshal.PtrToStringUTF8(resolved); }
        finally { Free(resolved); }
    }
}
