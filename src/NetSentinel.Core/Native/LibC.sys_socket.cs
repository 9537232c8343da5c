using System.Runtime.InteropServices;

namespace NetSentinel.Core.Native;

/// <summary>&lt;sys/socket.h&gt;: the netlink sockets sock_diag and the routing table (RTM_GETROUTE) are read through.</summary>
internal static unsafe partial class LibC
{
    public const int AF_NETLINK = 16;
    public const int SOCK_RAW = 3;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int NETLINK_SOCK_DIAG = 4;
    public const int NETLINK_ROUTE = 0;
    public const int MSG_DONTWAIT = 0x40;

    [LibraryImport(Library, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Library, EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(int fd, void* buffer, nuint length, int flags, void* address, uint addressLength);

    [LibraryImport(Library, EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, void* buffer, nuint length, int flags);
}
