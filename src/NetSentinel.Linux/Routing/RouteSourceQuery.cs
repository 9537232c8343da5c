using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using NetSentinel.Core.Native;
using NetSentinel.Linux.Netlink;

namespace NetSentinel.Linux.Routing;

/// <summary>
/// Asks the kernel's routing table, over a NETLINK_ROUTE socket, what `ip route get` asks: RTM_GETROUTE for a destination
/// with the datagram's other routing inputs (RTA_OIF, RTA_MARK, RTA_UID, RTA_IP_PROTO, RTA_SPORT, RTA_DPORT), and reads
/// the source address the kernel would pick (RTA_PREFSRC) from the answer. The kernel answers inside the send call
/// (rtnetlink handles a request synchronously), so the reply is read without waiting (MSG_DONTWAIT): a lookup never
/// blocks its caller. The answer is for the socket's namespace: the socket must have been opened in it.
/// Netlink numbers are in host order, written little-endian here: the monitor runs on x86-64 (its BPF object is built
/// for it).
/// </summary>
internal static unsafe class RouteSourceQuery
{
    private const ushort RtmNewRoute = 24;
    private const ushort RtmGetRoute = 26;
    private const ushort NlmsgError = 2;
    private const ushort NlmFRequest = 0x1;
    private const int NlmsgHeaderSize = 16;
    private const int RtmsgSize = 12;
    private const ushort RtaDst = 1;
    private const ushort RtaOif = 4;
    private const ushort RtaPrefsrc = 7;
    private const ushort RtaMark = 16;
    private const ushort RtaUid = 25;
    private const ushort RtaIpProto = 27;
    private const ushort RtaSport = 28;
    private const ushort RtaDport = 29;
    private const int IpProtoUdp = 17;
    private const int RequestCapacity = 128;
    private const int ReplyCapacity = 4096;

    /// <summary>A routing socket in the calling thread's network namespace; -1 (errno set) when none can be opened.</summary>
    public static int Open() => LibC.Socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_ROUTE);

    /// <summary>The source address for <paramref name="query"/>, or null (no route, an error, no answer).</summary>
    public static IPAddress? Ask(int fd, in RouteQuery query, uint sequence)
    {
        byte* request = stackalloc byte[RequestCapacity];
        int length = Encode(new Span<byte>(request, RequestCapacity), query, sequence);
        if (NetlinkKernel.Send(fd, request, length) != 0) return null;

        byte* reply = stackalloc byte[ReplyCapacity];
        for (int reads = 0; reads < 8; reads++) // a reply left over from an earlier question is skipped by its sequence
        {
            nint received = LibC.Recv(fd, reply, ReplyCapacity, LibC.MSG_DONTWAIT);
            if (received < 0)
            {
                if (Marshal.GetLastPInvokeError() == LibC.EINTR) continue;
                return null; // EAGAIN: no answer (never expected), or an error
            }

            if (Decode(new ReadOnlySpan<byte>(reply, (int)received), sequence, out IPAddress? source)) return source;
        }

        return null;
    }

    /// <summary>The RTM_GETROUTE request: nlmsghdr, rtmsg, then the attributes; its length.</summary>
    internal static int Encode(Span<byte> buffer, in RouteQuery query, uint sequence)
    {
        buffer.Clear();
        bool v6 = query.Destination.AddressFamily == AddressFamily.InterNetworkV6;
        int addressLength = v6 ? 16 : 4;
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[4..], RtmGetRoute);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[6..], NlmFRequest);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[8..], sequence);
        Span<byte> rtmsg = buffer[NlmsgHeaderSize..];
        rtmsg[0] = (byte)(v6 ? 10 : 2);      // rtm_family
        rtmsg[1] = (byte)(addressLength * 8); // rtm_dst_len: a host route, as `ip route get`
        int offset = NlmsgHeaderSize + RtmsgSize;

        Span<byte> address = stackalloc byte[16];
        query.Destination.TryWriteBytes(address, out _);
        offset = Attribute(buffer, offset, RtaDst, address[..addressLength]);
        if (query.BoundDevice != 0) offset = Attribute(buffer, offset, RtaOif, query.BoundDevice);
        if (query.Mark != 0) offset = Attribute(buffer, offset, RtaMark, query.Mark);
        offset = Attribute(buffer, offset, RtaUid, query.Uid);
        offset = Attribute(buffer, offset, RtaIpProto, [IpProtoUdp]);
        Span<byte> port = stackalloc byte[2];
        if (query.SourcePort > 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(port, (ushort)query.SourcePort);
            offset = Attribute(buffer, offset, RtaSport, port);
        }

        if (query.DestinationPort > 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(port, (ushort)query.DestinationPort);
            offset = Attribute(buffer, offset, RtaDport, port);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)offset); // nlmsg_len
        return offset;
    }

    /// <summary>
    /// Reads one datagram of replies: true once the reply to <paramref name="sequence"/> is found (with its RTA_PREFSRC,
    /// or null for an error or a route without one); false when the datagram holds only other replies.
    /// </summary>
    internal static bool Decode(ReadOnlySpan<byte> datagram, uint sequence, out IPAddress? source)
    {
        source = null;
        int offset = 0;
        while (offset + NlmsgHeaderSize <= datagram.Length)
        {
            ReadOnlySpan<byte> message = datagram[offset..];
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(message);
            if (length < NlmsgHeaderSize || length > message.Length) return false; // torn
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(message[4..]);
            if (BinaryPrimitives.ReadUInt32LittleEndian(message[8..]) == sequence)
            {
                if (type == RtmNewRoute && length >= NlmsgHeaderSize + RtmsgSize) source = PreferredSource(message[..(int)length]);
                return type is RtmNewRoute or NlmsgError;
            }

            offset += (int)((length + 3) & ~3u);
        }

        return false;
    }

    private static IPAddress? PreferredSource(ReadOnlySpan<byte> message)
    {
        int family = message[NlmsgHeaderSize];
        int offset = NlmsgHeaderSize + RtmsgSize;
        while (offset + 4 <= message.Length)
        {
            int attributeLength = BinaryPrimitives.ReadUInt16LittleEndian(message[offset..]);
            ushort attributeType = BinaryPrimitives.ReadUInt16LittleEndian(message[(offset + 2)..]);
            if (attributeLength < 4 || attributeLength > message.Length - offset) return null;
            ReadOnlySpan<byte> payload = message.Slice(offset + 4, attributeLength - 4);
            if (attributeType == RtaPrefsrc && payload.Length == (family == 10 ? 16 : 4)) return new IPAddress(payload);
            offset += (attributeLength + 3) & ~3;
        }

        return null;
    }

    private static int Attribute(Span<byte> buffer, int offset, ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return Attribute(buffer, offset, type, bytes);
    }

    private static int Attribute(Span<byte> buffer, int offset, ushort type, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[offset..], (ushort)(4 + payload.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[(offset + 2)..], type);
        payload.CopyTo(buffer[(offset + 4)..]);
        return offset + ((4 + payload.Length + 3) & ~3);
    }
}
