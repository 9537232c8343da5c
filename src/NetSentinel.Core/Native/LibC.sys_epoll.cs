using System.Runtime.InteropServices;

namespace NetSentinel.Core.Native;

/// <summary>&lt;sys/epoll.h&gt;: waiting for the kernel's event ring buffer to say it has data (as libbpf's ring_buffer__poll does).</summary>
internal static unsafe partial class LibC
{
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const uint EPOLLIN = 0x001;

    /// <summary>struct epoll_event as x86-64 lays it out (packed, 12 bytes; 16 on other architectures, so callers give room for more).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [LibraryImport(Library, EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport(Library, EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollCtl(int epfd, int op, int fd, EpollEvent* ev);

    [LibraryImport(Library, EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, EpollEvent* events, int maxEvents, int timeoutMs);
}
