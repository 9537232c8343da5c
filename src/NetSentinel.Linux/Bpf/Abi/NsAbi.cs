namespace NetSentinel.Linux.Bpf.Abi;

/// <summary>Constants of bpf/netsentinel.h (the single definition; a test checks this mirror against it).</summary>
internal static class NsAbi
{
    public const uint Version = 12;
    public const int CommLength = 16;
    public const int PathLength = 4096;
    public const int NameLength = 256;
    public const int PathDepth = 48;
    public const int ArgsLength = 16384;

    public const uint ExecPathTruncated = 1;
    public const uint ExecArgsTruncated = 2;
    public const uint ExecNoFile = 4;

    public const uint EventTcpConnect = 1;
    public const uint EventTcpClose = 2;
    public const uint EventUdpFlow = 3;
    public const uint EventExec = 4;
    public const uint EventExit = 5;
    public const uint EventDns = 6;
    public const uint EventUdpResumed = 7;
    public const uint EventFork = 8;
    public const uint EventTcpCloseShort = 9;

    public const int DnsPort = 53;
    public const int DnsPayloadLength = 512;

    public const uint CloseEstablished = 1;
    public const uint SockEstablished = 1;
    public const uint SockOpened = 2;

    public const int LostRingBuffer = 0;
    public const int LostMapFull = 1;
    public const int LostSlots = 2;

    public const ulong UdpIdleGapNs = 1_000_000_000;

    public const ushort AfInet = 2;
    public const ushort AfInet6 = 10;
    public const ushort ProtoTcp = 6;
    public const ushort ProtoUdp = 17;
}
