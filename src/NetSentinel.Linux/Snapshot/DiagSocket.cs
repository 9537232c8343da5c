using NetSentinel.Core.Model;

namespace NetSentinel.Linux.Snapshot;

/// <summary>
/// One socket as sock_diag reported it, before process attribution. A plain struct so a dump of
/// 10,000 sockets fills a reused list without allocating per socket.
/// </summary>
internal struct DiagSocket
{
    public const byte FamilyV4 = 2;
    public const byte FamilyV6 = 10;

    public byte Family;
    public Transport Transport;
    /// <summary>Kernel TCP state number (UDP uses 1 = connected, 7 = unconnected).</summary>
    public byte State;
    public ushort LocalPort;
    public ushort RemotePort;
    /// <summary>The address bytes in network order as the kernel stores them (IPv4 in the first 4 bytes).</summary>
    public UInt128 LocalAddress;
    public UInt128 RemoteAddress;
    public uint InterfaceIndex;
    public uint Uid;
    public uint Inode;
    public long BytesSent;
    public long BytesReceived;
}
