using System.Runtime.InteropServices;

namespace NetSentinel.Core.Native;

/// <summary>&lt;sched.h&gt;: joining a network namespace (the self-test's and the tests' namespace test hosts).</summary>
internal static partial class LibC
{
    public const int CLONE_NEWNET = 0x40000000;

    [LibraryImport(Library, EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nstype);
}
