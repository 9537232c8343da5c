using System.Runtime.InteropServices;

namespace NetSentinel.Core.Native;

/// <summary>&lt;stdio.h&gt;: rename, on the directory entry itself (no link following, unlike a copy).</summary>
internal static partial class LibC
{
    [LibraryImport(Library, EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rename(string from, string to);
}
