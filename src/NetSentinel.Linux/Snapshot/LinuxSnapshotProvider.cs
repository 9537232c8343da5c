using System.Net;
using System.Runtime.InteropServices;
using NetSentinel.Core.Model;
using NetSentinel.Core.Sources;
using NetSentinel.Core.Native;
using NetSentinel.Linux.Processes;

namespace NetSentinel.Linux.Snapshot;

/// <summary>
/// Every TCP and UDP socket of this network namespace, IPv4 and IPv6, from sock_diag, attributed to
/// processes through /proc/&lt;pid&gt;/fd. Directions: TCP LISTEN → Listening; a TCP connection on a local
/// listening port → Inbound; any other TCP → Outbound; UDP with a peer → Outbound, without → Listening.
/// Loopback is not filtered here. One instance may be reused for many captures (buffers are kept);
/// not thread-safe.
/// </summary>
public sealed class LinuxSnapshotProvider : IConnectionSnapshotProvider
{
    public const string NotRootReason = "not root: sockets of other users show no process; run with sudo for full attribution";

    private readonly ProcessInfoReader _processes;
    private readonly SocketOwnerScanner _owners;
    private readonly List<DiagSocket> _sockets = new();
    private readonly Dictionary<uint, int> _ownerByInode = new();
    private readonly Dictionary<int, ProcessInfo> _processByPid = new();
    private readonly ListeningPortSet _listeners = new();
    private readonly bool _isRoot;
    private string? _udpUnavailable;

    /// <param name="processes">The shared /proc reader (its cache survives between captures); a private one when null.</param>
    public LinuxSnapshotProvider(ProcessInfoReader? processes = null)
    {
        _processes = processes ?? new ProcessInfoReader();
        _owners = new SocketOwnerScanner("/proc");
        _isRoot = LibC.Geteuid() == 0;
        DegradedReason = _isRoot ? null : NotRootReason;
    }

    public string? DegradedReason { get; private set; }

    /// <summary>Takes the snapshot. Throws InvalidOperationException with a one-line reason when sock_diag is unusable.</summary>
    public IReadOnlyList<ConnectionRecord> Capture()
    {
        _sockets.Clear();
        DumpOrThrow(DiagSocket.FamilyV4, Transport.Tcp);
        DumpOrThrow(DiagSocket.FamilyV6, Transport.Tcp);
        DumpUdp(DiagSocket.FamilyV4);
        DumpUdp(DiagSocket.FamilyV6);

        Span<DiagSocket> sockets = CollectionsMarshal.AsSpan(_sockets);
        _ownerByInode.Clear();
        _listeners.Clear();
        foreach (ref readonly DiagSocket socket in sockets)
        {
            if (socket.Inode != 0) _ownerByInode.TryAdd(socket.Inode, 0);
            if (socket.Transport == Transport.Tcp && socket.State == TcpStates.Listen) _listeners.Add(socket);
        }

        int unreadable = _owners.Scan(_ownerByInode);
        UpdateDegradedReason(unreadable);

        _processByPid.Clear();
        var records = new ConnectionRecord[sockets.Length];
        for (int i = 0; i < sockets.Length; i++)
            records[i] = ToRecord(sockets[i]);
        return records;
    }

    private ConnectionRecord ToRecord(in DiagSocket socket)
    {
        bool tcp = socket.Transport == Transport.Tcp;
        Direction direction = _listeners.Classify(socket);
        bool activeOpen = direction == Direction.Outbound;
        return new ConnectionRecord
        {
            Transport = socket.Transport,
            Local = new IPEndPoint(ToAddress(socket.Family, socket.LocalAddress, socket.InterfaceIndex), socket.LocalPort),
            Remote = new IPEndPoint(ToAddress(socket.Family, socket.RemoteAddress, socket.InterfaceIndex), socket.RemotePort),
            State = tcp ? TcpStates.TcpName(socket.State) : TcpStates.UdpName(socket.State),
            Direction = direction,
            SocketId = socket.Inode,
            Uid = socket.Uid,
            BytesSent = tcp ? TcpPayloadCounters.Sent(socket.BytesSent, socket.State, activeOpen) : socket.BytesSent,
            BytesReceived = tcp ? TcpPayloadCounters.Received(socket.BytesReceived, socket.State) : socket.BytesReceived,
            Process = OwnerOf(socket.Inode),
        };
    }

    private ProcessInfo OwnerOf(uint inode)
    {
        if (inode == 0 || !_ownerByInode.TryGetValue(inode, out int pid) || pid == 0) return ProcessInfo.Unknown;
        if (_processByPid.TryGetValue(pid, out ProcessInfo? known)) return known;
        // The process may have exited since the fd walk: keep the pid we saw, without a name.
        ProcessInfo info = _processes.Read(pid) ?? new ProcessInfo { Pid = pid, Name = "?", IdentifiedBy = AttributionSource.Proc };
        _processByPid[pid] = info;
        return info;
    }

    private static IPAddress ToAddress(byte family, UInt128 address, uint interfaceIndex)
    {
        if (family == DiagSocket.FamilyV4) return new IPAddress((long)(uint)address);
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<UInt128>(in address));
        // Only link-local addresses carry a meaningful scope (the interface).
        bool linkLocal = bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80;
        return new IPAddress(bytes, linkLocal ? interfaceIndex : 0);
    }

    private void DumpOrThrow(byte family, Transport transport)
    {
        int errno = SockDiagClient.Dump(family, transport, _sockets);
        if (errno != 0) throw DumpFailed(transport, errno);
    }

    private static InvalidOperationException DumpFailed(Transport transport, int errno) =>
        new($"sock_diag {transport} dump failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}); the kernel needs CONFIG_INET_DIAG");

    private void DumpUdp(byte family)
    {
        int errno = SockDiagClient.Dump(family, Transport.Udp, _sockets);
        // ENOENT: udp_diag is not built or loaded; TCP still works, so report instead of failing.
        if (errno == LibC.ENOENT) _udpUnavailable = "UDP sockets not listed: the kernel lacks udp_diag (modprobe udp_diag)";
        else if (errno != 0) throw DumpFailed(Transport.Udp, errno);
    }

    private void UpdateDegradedReason(int unreadableFdDirectories)
    {
        string? attribution = !_isRoot ? NotRootReason
            : unreadableFdDirectories > 0 ? $"{unreadableFdDirectories} processes' fds were unreadable: their sockets show no process"
            : null;
        DegradedReason = attribution is null ? _udpUnavailable : _udpUnavailable is null ? attribution : $"{attribution}; {_udpUnavailable}";
    }
}
