using System.Runtime.InteropServices;

namespace NetSentinel.Core.Native;

/// <summary>&lt;signal.h&gt;: asking a child to stop the way an operator would (SIGTERM), so it writes its summary.</summary>
internal static partial class LibC
{
    public const int SIGTERM = 15;

    [LibraryImport(Library, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
