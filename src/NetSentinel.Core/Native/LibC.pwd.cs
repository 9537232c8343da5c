using System.Runtime.InteropServices;

namespace NetSentinel.Core.Native;

/// <summary>&lt;pwd.h&gt;: the NSS user lookup.</summary>
internal static unsafe partial class LibC
{
    /// <summary>Returns 0 and sets *result (NULL when no such user), or an errno value (ERANGE: buffer too small).</summary>
    [LibraryImport(Library, EntryPoint = "getpwuid_r")]
    public static partial int GetPwUidR(uint uid, void* passwd, byte* buffer, nuint length, void** result);
}
