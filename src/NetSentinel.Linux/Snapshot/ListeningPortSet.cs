using NetSentinel.Core.Model;

namespace NetSentinel.Linux.Snapshot;

/// <summary>
/// The host's listening TCP endpoints, used to tell accepted (inbound) connections from ones this host
/// initiated: a connection is inbound when its local port is a listening port for its local address,
/// either exactly or through a wildcard listener of the same family. IPv4-mapped IPv6 addresses
/// (::ffff:a.b.c.d, what a dual-stack listener's accepted sockets carry) count as IPv4 for the
/// exact match, and also match a "::" listener.
/// </summary>
internal sealed class ListeningPortSet
{
    private readonly HashSet<Endpoint> _listeners = new();

    public void Clear() => _listeners.Clear();

    public void Add(in DiagSocket listener)
    {
        _listeners.Add(Normalize(listener.Family, listener.LocalPort, listener.LocalAddress));
    }

    public Direction Classify(in DiagSocket socket)
    {
        if (socket.Transport == Transport.Udp)
            return socket.RemotePort != 0 || socket.RemoteAddress != UInt128.Zero ? Direction.Outbound : Direction.Listening;
        if (socket.State == TcpStates.Listen) return Direction.Listening;
        return IsListeningPort(socket) ? Direction.Inbound : Direction.Outbound;
    }

    private bool IsListeningPort(in DiagSocket socket)
    {
        Endpoint local = Normalize(socket.Family, socket.LocalPort, socket.LocalAddress);
        return _listeners.Contains(local)
            || _listeners.Contains(local with { Address = UInt128.Zero })
            || (socket.Family == DiagSocket.FamilyV6 && _listeners.Contains(new Endpoint(true, socket.LocalPort, UInt128.Zero)));
    }

    private static Endpoint Normalize(byte family, ushort port, UInt128 address)
    {
        if (family == DiagSocket.FamilyV6 && IsV4Mapped(address))
            return new Endpoint(false, port, (uint)(address >> 96)); // the v4 bytes are the last four
        return new Endpoint(family == DiagSocket.FamilyV6, port, address);
    }

    /// <summary>Bytes 0-9 zero, bytes 10-11 0xff (read as little-endian: the low 80 bits zero, then 0xffff).</summary>
    private static bool IsV4Mapped(UInt128 address) =>
        (address & ((UInt128.One << 96) - 1)) == (UInt128)0xFFFF << 80;

    private readonly record struct Endpoint(bool IsV6, ushort Port, UInt128 Address);
}
