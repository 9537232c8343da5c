namespace NetSentinel.Core.Native;

/// <summary>
/// The one binding to the C library, split by C header (LibC.&lt;header&gt;.cs) as Tmds.LibC does; functions
/// keep their C names in PascalCase, constants their C names. Source-generated [LibraryImport] (NativeAOT-safe).
/// Shared by the portable log-file code here and the Linux project (sock_diag, /proc, cgroups).
/// </summary>
internal static partial class LibC
{
    private const string Library = "libc";
}
