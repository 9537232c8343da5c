using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetSentinel.Core.Model;
using NetSentinel.Core.Native;
using NetSentinel.Linux.Netlink;

namespace NetSentinel.Linux.Snapshot;

/// <summary>
/// Dumps the kernel's socket table for one (family, protocol) through NETLINK_SOCK_DIAG
/// (SOCK_DIAG_BY_FAMILY with inet_diag_req_v2, NLM_F_DUMP, all states) and decodes the multipart
/// reply in place, one DiagSocket per message.
/// </summary>
internal static unsafe class SockDiagClient
{
    private const ushort SockDiagByFamily = 20;
    private const ushort NlmsgError = 2;
    private const ushort NlmsgDone = 3;
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFDump = 0x300;
    private const int NlmsgHeaderSize = 16;
    private const int DiagRequestSize = 56;   // struct inet_diag_req_v2
    private const int DiagMessageSize = 72;   // struct inet_diag_msg
    private const ushort InetDiagInfo = 2;    // attribute carrying struct tcp_info
    private const int TcpInfoBytesAckedOffset = 120;
    private const int TcpInfoBytesReceivedOffset = 128;
    private const int IpProtoTcp = 6;
    private const int IpProtoUdp = 17;

    // The kernel caps one dump skb near 32 KiB; twice that leaves room for any message.
    private const int ReceiveBufferSize = 64 * 1024;

    /// <summary>Appends every socket of the family/transport to <paramref name="into"/>. Returns 0, or the errno that stopped the dump.</summary>
    public static int Dump(byte family, Transport transport, List<DiagSocket> into)
    {
        int fd = LibC.Socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_SOCK_DIAG);
        if (fd < 0) return Marshal.GetLastPInvokeError();
        byte* buffer = (byte*)NativeMemory.Alloc(ReceiveBufferSize);
        try
        {
            const uint sequence = 1;
            int error = SendRequest(fd, family, transport, sequence);
            return error != 0 ? error : ReceiveAll(fd, buffer, transport, sequence, into);
        }
        finally
        {
            NativeMemory.Free(buffer);
            LibC.Close(fd);
        }
    }

    private static int SendRequest(int fd, byte family, Transport transport, uint sequence)
    {
        byte* request = stackalloc byte[NlmsgHeaderSize + DiagRequestSize];
        new Span<byte>(request, NlmsgHeaderSize + DiagRequestSize).Clear();
        *(uint*)request = NlmsgHeaderSize + DiagRequestSize;
        *(ushort*)(request + 4) = SockDiagByFamily;
        *(ushort*)(request + 6) = NlmFRequest | NlmFDump;
        *(uint*)(request + 8) = sequence;
        byte* body = request + NlmsgHeaderSize;
        body[0] = family;
        body[1] = (byte)(transport == Transport.Tcp ? IpProtoTcp : IpProtoUdp);
        body[2] = (byte)(transport == Transport.Tcp ? 1 << (InetDiagInfo - 1) : 0);
        *(uint*)(body + 4) = uint.MaxValue; // every state
        return NetlinkKernel.Send(fd, request, NlmsgHeaderSize + DiagRequestSize);
    }

    private static int ReceiveAll(int fd, byte* buffer, Transport transport, uint sequence, List<DiagSocket> into)
    {
        while (true)
        {
            nint received = LibC.Recv(fd, buffer, ReceiveBufferSize, 0);
            if (received < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EINTR) continue;
                return errno;
            }
            if (received == 0) return 0;

            int offset = 0;
            while (offset + NlmsgHeaderSize <= received)
            {
                byte* message = buffer + offset;
                uint length = *(uint*)message;
                ushort type = *(ushort*)(message + 4);
                if (length < NlmsgHeaderSize || length > received - offset) return 71; // EPROTO: a torn message
                if (*(uint*)(message + 8) == sequence)
                {
                    if (type == NlmsgDone) return 0;
                    if (type == NlmsgError)
                        return length >= NlmsgHeaderSize + 4 ? -*(int*)(message + NlmsgHeaderSize) : 71;
                    if (type == SockDiagByFamily && length >= NlmsgHeaderSize + DiagMessageSize)
                        into.Add(Decode(message + NlmsgHeaderSize, (int)length - NlmsgHeaderSize, transport));
                }
                offset += (int)((length + 3) & ~3u);
            }
        }
    }

    private static DiagSocket Decode(byte* msg, int length, Transport transport)
    {
        var socket = new DiagSocket
        {
            Family = msg[0],
            Transport = transport,
            State = msg[1],
            LocalPort = BinaryPrimitives.ReverseEndianness(*(ushort*)(msg + 4)),
            RemotePort = BinaryPrimitives.ReverseEndianness(*(ushort*)(msg + 6)),
            LocalAddress = Unsafe.ReadUnaligned<UInt128>(msg + 8),
            RemoteAddress = Unsafe.ReadUnaligned<UInt128>(msg + 24),
            InterfaceIndex = *(uint*)(msg + 40),
            Uid = *(uint*)(msg + 64),
            Inode = *(uint*)(msg + 68),
            BytesSent = -1,
            BytesReceived = -1,
        };

        // Attributes follow the fixed header, each 4-byte aligned: { u16 len, u16 type, payload }.
        int offset = DiagMessageSize;
        while (offset + 4 <= length)
        {
            ushort attributeLength = *(ushort*)(msg + offset);
            ushort attributeType = *(ushort*)(msg + offset + 2);
            if (attributeLength < 4 || attributeLength > length - offset) break;
            // tcp_info grows between kernels: read a counter only if this kernel's struct reaches it.
            int payloadLength = attributeLength - 4;
            if (attributeType == InetDiagInfo && payloadLength >= TcpInfoBytesReceivedOffset + 8)
            {
                byte* info = msg + offset + 4;
                socket.BytesSent = (long)Unsafe.ReadUnaligned<ulong>(info + TcpInfoBytesAckedOffset);
                socket.BytesReceived = (long)Unsafe.ReadUnaligned<ulong>(info + TcpInfoBytesReceivedOffset);
            }
            offset += (attributeLength + 3) & ~3;
        }
        return socket;
    }
}
