using System.Runtime.InteropServices;
using NetSentinel.Core.Native;

namespace NetSentinel.Linux.Netlink;

/// <summary>What every netlink client here (sock_diag dumps, routing questions) does the same way: send a message to the kernel.</summary>
internal static unsafe class NetlinkKernel
{
    /// <summary>Sends <paramref name="length"/> bytes at <paramref name="message"/> to the kernel (netlink pid 0), retrying on EINTR; 0, or the errno.</summary>
    public static int Send(int fd, byte* message, int length)
    {
        byte* kernel = stackalloc byte[12]; // struct sockaddr_nl
        new Span<byte>(kernel, 12).Clear();
        *(ushort*)kernel = LibC.AF_NETLINK;
        while (LibC.SendTo(fd, message, (nuint)length, 0, kernel, 12) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EINTR) return errno;
        }
        return 0;
    }
}
