using System.Runtime.InteropServices;

namespace NetSentinel.Core.Native;

/// <summary>&lt;sys/file.h&gt;: flock, for the log's single-writer lock (operations: UnixOpenFlags.LockExclusive/LockNonBlocking).</summary>
internal static partial class LibC
{
    [LibraryImport(Library, EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);
}
