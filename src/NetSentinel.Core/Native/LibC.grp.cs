using System.Runtime.InteropServices;

namespace NetSentinel.Core.Native;

/// <summary>&lt;grp.h&gt;: the NSS group lookup.</summary>
internal static unsafe partial class LibC
{
    /// <summary>Returns 0 and sets *result (NULL when no such group), or an errno value (ERANGE: buffer too small).</summary>
    [LibraryImport(Library, EntryPoint = "getgrnam_r", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int GetGrNamR(string name, void* group, byte* buffer, nuint length, void** result);
}
