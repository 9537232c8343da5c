using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using NetSentinel.Linux.Bpf.Abi;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>Builds ring-buffer records byte for byte as the kernel program lays them out (the ABI mirror is checked against the C header).</summary>
internal static unsafe class GoldenRecords
{
    public static byte[] Bytes<T>(T record) where T : unmanaged
    {
        var bytes = new byte[Unsafe.SizeOf<T>()];
        MemoryMarshal.Write(bytes, in record);
        return bytes;
    }

    public static NsHeader Header(uint kind, ulong timestampNs, uint abiVersion = NsAbi.Version) =>
        new() { Kind = kind, TimestampNs = timestampNs, AbiVersion = abiVersion };

    public static NsTask Task(uint tgid, string comm = "curl", uint uid = 0)
    {
        var task = new NsTask { Tgid = tgid, Pid = tgid, Ppid = 1, Uid = uid, CgroupId = 7 };
        Encoding.ASCII.GetBytes(comm).AsSpan().CopyTo(new Span<byte>(task.Comm, NsAbi.CommLength));
        return task;
    }

    public static NsEndpoints Ends(string local, int localPort, string remote, int remotePort, ushort protocol = NsAbi.ProtoTcp)
    {
        IPAddress l = IPAddress.Parse(local), r = IPAddress.Parse(remote);
        var ends = new NsEndpoints
        {
            Family = r.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? NsAbi.AfInet6 : NsAbi.AfInet,
            Protocol = protocol,
            Sport = (ushort)IPAddress.HostToNetworkOrder((short)localPort),
            Dport = (ushort)IPAddress.HostToNetworkOrder((short)remotePort),
        };
        l.GetAddressBytes().CopyTo(new Span<byte>(ends.Saddr, 16));
        r.GetAddressBytes().CopyTo(new Span<byte>(ends.Daddr, 16));
        return ends;
    }

    /// <summary>An ns_dns_event carrying <paramref name="payload"/> (cut to NS_DNS_PAYLOAD_LEN as the kernel does).</summary>
    public static byte[] DnsMessage(ulong ns, NsTask task, NsEndpoints ends, byte[] payload, uint? wireLength = null, uint tcpSeq = 0, bool ingress = true)
    {
        var record = new NsDnsEvent { Header = Header(NsAbi.EventDns, ns), Task = task, Ends = ends, TcpSeq = tcpSeq, Ingress = ingress ? 1u : 0u };
        int captured = Math.Min(payload.Length, NsAbi.DnsPayloadLength);
        record.WireLen = wireLength ?? (uint)payload.Length;
        record.Captured = (uint)captured;
        payload.AsSpan(0, captured).CopyTo(new Span<byte>(record.Payload, NsAbi.DnsPayloadLength));
        return Bytes(record);
    }

    public static byte[] TcpConnect(ulong connId, ulong ns, NsTask task, NsEndpoints ends) =>
        Bytes(new NsOpenEvent { Header = Header(NsAbi.EventTcpConnect, ns), ConnId = connId, Task = task, Ends = ends });

    public static byte[] UdpFlow(ulong connId, ulong ns, NsTask task, NsEndpoints ends, NsSockRoute route = default) =>
        Bytes(new NsOpenEvent { Header = Header(NsAbi.EventUdpFlow, ns), ConnId = connId, Task = task, Ends = ends, Route = route });

    public static byte[] UdpResumed(ulong connId, ulong ns, NsTask task, NsEndpoints ends) =>
        Bytes(new NsOpenEvent { Header = Header(NsAbi.EventUdpResumed, ns), ConnId = connId, Task = task, Ends = ends });

    /// <summary>The close the kernel writes for a socket whose connect record it wrote: no task, no endpoints.</summary>
    public static byte[] TcpCloseShort(ulong connId, ulong ns, ulong sent, ulong received, ulong durationNs, bool established = true) =>
        Bytes(new NsCloseShortEvent
        {
            Header = Header(NsAbi.EventTcpCloseShort, ns),
            ConnId = connId,
            DurationNs = durationNs,
            BytesSent = sent,
            BytesReceived = received,
            Flags = established ? NsAbi.CloseEstablished : 0,
        });

    /// <summary>The close the kernel writes for a socket whose connect record it did not write (refused before it, or no room in the ring).</summary>
    public static byte[] TcpClose(ulong connId, ulong ns, NsTask task, NsEndpoints ends, ulong sent, ulong received, ulong durationNs, bool established = true) =>
        Bytes(new NsCloseEvent
        {
            Header = Header(NsAbi.EventTcpClose, ns),
            ConnId = connId,
            DurationNs = durationNs,
            BytesSent = sent,
            BytesReceived = received,
            Task = task,
            Flags = established ? NsAbi.CloseEstablished : 0,
            Ends = ends,
        });

    /// <summary>An exec record as the kernel writes it: the path's components leaf first, each NUL-terminated, then argv.</summary>
    public static byte[] Exec(ulong ns, NsTask task, string path, string[]? args = null, uint flags = 0, ulong inode = 0, uint kernelDevice = 0)
    {
        byte[] components = [.. path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse().SelectMany(name => Encoding.UTF8.GetBytes(name + "\0"))];
        byte[] argv = args is null ? [] : [.. args.SelectMany(arg => Encoding.UTF8.GetBytes(arg + "\0"))];
        var exec = new NsExecEvent
        {
            Header = Header(NsAbi.EventExec, ns),
            Task = task,
            ExeInode = inode,
            ExeDev = kernelDevice,
            Flags = flags,
            PathLen = (uint)components.Length,
            ArgsLen = (uint)argv.Length,
        };
        components.CopyTo(new Span<byte>(exec.Path, NsAbi.PathLength + NsAbi.NameLength));
        return [.. Bytes(exec), .. argv];
    }

    public static byte[] Fork(ulong ns, NsTask parent, uint childTgid) =>
        Bytes(new NsForkEvent { Header = Header(NsAbi.EventFork, ns), Task = parent, ChildTgid = childTgid });

    public static byte[] Exit(ulong ns, NsTask task) => Bytes(new NsExitEvent { Header = Header(NsAbi.EventExit, ns), Task = task });

    public static NsSockState Socket(ulong connId, NsTask task, NsEndpoints ends, ulong sent, ulong received) =>
        new() { ConnId = connId, Task = task, Ends = ends, BytesSent = sent, BytesReceived = received, Flags = NsAbi.SockEstablished };

    public static NsUdpFlow UdpCounters(ulong connId, NsTask task, NsEndpoints ends, ulong sent, ulong received) =>
        new() { ConnId = connId, Task = task, Ends = ends, BytesSent = sent, BytesReceived = received };
}
