using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Bpf.Abi;

namespace NetSentinel.Linux.Tests.Bpf;

public class BpfAbiTests
{
    private static readonly (Type Type, string CName)[] s_mirrors =
    [
        (typeof(NsHeader), "ns_header"), (typeof(NsTask), "ns_task"), (typeof(NsEndpoints), "ns_endpoints"),
        (typeof(NsOpenEvent), "ns_open_event"), (typeof(NsCloseEvent), "ns_close_event"), (typeof(NsCloseShortEvent), "ns_close_short_event"), (typeof(NsExecEvent), "ns_exec_event"),
        (typeof(NsExitEvent), "ns_exit_event"), (typeof(NsForkEvent), "ns_fork_event"), (typeof(NsSockState), "ns_sock_state"), (typeof(NsUdpKey), "ns_udp_key"),
        (typeof(NsUdpFlow), "ns_udp_flow"), (typeof(NsDnsEvent), "ns_dns_event"), (typeof(NsSockRoute), "ns_sock_route"),
    ];

    [Fact]
    public void EveryOffsetAndSizeOfTheMirrorMatchesTheHeader()
    {
        var c = new StringBuilder("#include <stddef.h>\n#include \"netsentinel.h\"\n");
        int asserts = 0;
        foreach (var (type, cName) in s_mirrors)
        {
            c.AppendLine($"_Static_assert(sizeof(struct {cName}) == {Marshal.SizeOf(type)}, \"sizeof {cName}\");");
            int fieldBytes = 0;
            foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public))
            {
                string member = SnakeCase(field.Name);
                int offset = (int)Marshal.OffsetOf(type, field.Name);
                int size = Marshal.SizeOf(field.FieldType);
                fieldBytes += size;
                c.AppendLine($"_Static_assert(offsetof(struct {cName}, {member}) == {offset}, \"{cName}.{member} offset\");");
                c.AppendLine($"_Static_assert(sizeof(((struct {cName} *)0)->{member}) == {size}, \"{cName}.{member} size\");");
                asserts += 2;
            }
            // Explicit padding: the fields cover the whole struct, so no member of the C struct can be missing here.
            Assert.Equal(Marshal.SizeOf(type), fieldBytes);
        }
        FieldInfo[] constants = typeof(NsAbi).GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic);
        foreach (FieldInfo constant in constants)
        {
            Assert.True(s_constantNames.TryGetValue(constant.Name, out string? cConstant), $"NsAbi.{constant.Name} has no C name in this test");
            c.AppendLine($"_Static_assert({cConstant} == {Convert.ToInt64(constant.GetValue(null))}, \"{cConstant}\");");
            asserts++;
        }
        Assert.Equal(s_constantNames.Count, constants.Length);

        string file = Path.Combine(Path.GetTempPath(), $"ns-abi-{Environment.ProcessId}.c");
        File.WriteAllText(file, c.ToString());
        try
        {
            var (exit, output) = Run("cc", $"-fsyntax-only -I \"{BpfSourceDir()}\" \"{file}\"");
            Assert.True(exit == 0, $"the C# mirror disagrees with bpf/netsentinel.h:\n{output}");
            Assert.True(asserts > 100, $"only {asserts} assertions generated");
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static readonly Dictionary<string, string> s_constantNames = new()
    {
        [nameof(NsAbi.Version)] = "NS_ABI_VERSION",
        [nameof(NsAbi.CommLength)] = "NS_COMM_LEN",
        [nameof(NsAbi.PathLength)] = "NS_PATH_LEN",
        [nameof(NsAbi.NameLength)] = "NS_NAME_LEN",
        [nameof(NsAbi.PathDepth)] = "NS_PATH_DEPTH",
        [nameof(NsAbi.ArgsLength)] = "NS_ARGS_LEN",
        [nameof(NsAbi.ExecPathTruncated)] = "NS_EXEC_PATH_TRUNCATED",
        [nameof(NsAbi.ExecArgsTruncated)] = "NS_EXEC_ARGS_TRUNCATED",
        [nameof(NsAbi.ExecNoFile)] = "NS_EXEC_NO_FILE",
        [nameof(NsAbi.EventTcpConnect)] = "NS_EVENT_TCP_CONNECT",
        [nameof(NsAbi.EventTcpClose)] = "NS_EVENT_TCP_CLOSE",
        [nameof(NsAbi.EventUdpFlow)] = "NS_EVENT_UDP_FLOW",
        [nameof(NsAbi.EventExec)] = "NS_EVENT_EXEC",
        [nameof(NsAbi.EventExit)] = "NS_EVENT_EXIT",
        [nameof(NsAbi.EventUdpResumed)] = "NS_EVENT_UDP_RESUMED",
        [nameof(NsAbi.EventFork)] = "NS_EVENT_FORK",
        [nameof(NsAbi.EventTcpCloseShort)] = "NS_EVENT_TCP_CLOSE_SHORT",
        [nameof(NsAbi.UdpIdleGapNs)] = "NS_UDP_IDLE_GAP_NS",
        [nameof(NsAbi.EventDns)] = "NS_EVENT_DNS",
        [nameof(NsAbi.DnsPort)] = "NS_DNS_PORT",
        [nameof(NsAbi.DnsPayloadLength)] = "NS_DNS_PAYLOAD_LEN",
        [nameof(NsAbi.CloseEstablished)] = "NS_CLOSE_ESTABLISHED",
        [nameof(NsAbi.SockEstablished)] = "NS_SOCK_ESTABLISHED",
        [nameof(NsAbi.SockOpened)] = "NS_SOCK_OPENED",
        [nameof(NsAbi.LostRingBuffer)] = "NS_LOST_RINGBUF",
        [nameof(NsAbi.LostMapFull)] = "NS_LOST_MAP_FULL",
        [nameof(NsAbi.LostSlots)] = "NS_LOST_SLOTS",
        [nameof(NsAbi.AfInet)] = "NS_AF_INET",
        [nameof(NsAbi.AfInet6)] = "NS_AF_INET6",
        [nameof(NsAbi.ProtoTcp)] = "NS_PROTO_TCP",
        [nameof(NsAbi.ProtoUdp)] = "NS_PROTO_UDP",
    };

    [Fact]
    public void AGoldenOpenRecordDecodesToTheExpectedEvent()
    {
        // struct ns_open_event as the kernel writes it (little-endian), built byte by byte from the header's layout.
        var record = new byte[120];
        BitConverter.TryWriteBytes(record.AsSpan(0), 123_456_789_000UL);   // header.timestamp_ns
        BitConverter.TryWriteBytes(record.AsSpan(8), 1U);                  // header.kind = NS_EVENT_TCP_CONNECT
        BitConverter.TryWriteBytes(record.AsSpan(12), NsAbi.Version);      // header.abi_version
        BitConverter.TryWriteBytes(record.AsSpan(16), 42UL);               // conn_id
        BitConverter.TryWriteBytes(record.AsSpan(24), 0x1122334455UL);     // task.cgroup_id
        BitConverter.TryWriteBytes(record.AsSpan(32), 4321U);              // task.tgid
        BitConverter.TryWriteBytes(record.AsSpan(36), 4322U);              // task.pid
        BitConverter.TryWriteBytes(record.AsSpan(40), 1U);                 // task.ppid
        BitConverter.TryWriteBytes(record.AsSpan(44), 1000U);              // task.uid
        "curl"u8.CopyTo(record.AsSpan(48));                                // task.comm
        record[64] = 0x9c; record[65] = 0x40;                              // ends.sport = 40000, network order
        record[66] = 0x01; record[67] = 0xbb;                              // ends.dport = 443, network order
        BitConverter.TryWriteBytes(record.AsSpan(68), (ushort)2);          // ends.family = AF_INET
        BitConverter.TryWriteBytes(record.AsSpan(70), (ushort)6);          // ends.protocol = TCP
        new byte[] { 198, 51, 100, 1 }.CopyTo(record, 72);                 // ends.saddr
        new byte[] { 198, 51, 100, 2 }.CopyTo(record, 88);                 // ends.daddr
        BitConverter.TryWriteBytes(record.AsSpan(104), 4026531840U);       // route.netns
        BitConverter.TryWriteBytes(record.AsSpan(108), 3U);                // route.bound_dev_if
        BitConverter.TryWriteBytes(record.AsSpan(112), 0x66U);             // route.mark
        BitConverter.TryWriteBytes(record.AsSpan(116), 1000U);             // route.uid

        Assert.True(BpfRecord.TryRead(record, out NsOpenEvent open));
        Assert.Equal(123_456_789_000UL, open.Header.TimestampNs);
        Assert.Equal(NsAbi.EventTcpConnect, open.Header.Kind);
        Assert.Equal(NsAbi.Version, open.Header.AbiVersion);
        Assert.Equal(42UL, open.ConnId);
        Assert.Equal(0x1122334455UL, open.Task.CgroupId);
        Assert.Equal((4321U, 4322U, 1U, 1000U), (open.Task.Tgid, open.Task.Pid, open.Task.Ppid, open.Task.Uid));
        Assert.Equal("curl", BpfText.Comm(open.Task));
        Assert.Equal(NsAbi.ProtoTcp, open.Ends.Protocol);
        var (local, remote) = new RecentAddresses().Endpoints(open.Ends);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40000), local);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.2"), 443), remote);
        Assert.Equal((4026531840U, 3U, 0x66U, 1000U), (open.Route.Netns, open.Route.BoundDevIf, open.Route.Mark, open.Route.Uid));

        Assert.False(BpfRecord.TryRead(record.AsSpan(0, 119), out NsOpenEvent _)); // a short record is refused, not over-read
    }

    [Fact]
    public void AGoldenShortCloseRecordIsOneCacheLineWithTheRingHeaderAndDecodesToItsFields()
    {
        // struct ns_close_short_event as the kernel writes it (little-endian), byte by byte from the header's layout.
        var record = new byte[56];
        BitConverter.TryWriteBytes(record.AsSpan(0), 987_654_321_000UL);   // header.timestamp_ns
        BitConverter.TryWriteBytes(record.AsSpan(8), 9U);                  // header.kind = NS_EVENT_TCP_CLOSE_SHORT
        BitConverter.TryWriteBytes(record.AsSpan(12), NsAbi.Version);      // header.abi_version
        BitConverter.TryWriteBytes(record.AsSpan(16), 42UL);               // conn_id
        BitConverter.TryWriteBytes(record.AsSpan(24), 3_000_000UL);        // duration_ns
        BitConverter.TryWriteBytes(record.AsSpan(32), 80UL);               // bytes_sent
        BitConverter.TryWriteBytes(record.AsSpan(40), 240UL);              // bytes_received
        BitConverter.TryWriteBytes(record.AsSpan(48), 1U);                 // flags = NS_CLOSE_ESTABLISHED
        Assert.Equal(64, record.Length + 8);                               // with the ring's record header: one cache line

        Assert.True(BpfRecord.TryRead(record, out NsCloseShortEvent close));
        Assert.Equal((987_654_321_000UL, NsAbi.EventTcpCloseShort, NsAbi.Version), (close.Header.TimestampNs, close.Header.Kind, close.Header.AbiVersion));
        Assert.Equal((42UL, 3_000_000UL, 80UL, 240UL, NsAbi.CloseEstablished), (close.ConnId, close.DurationNs, close.BytesSent, close.BytesReceived, close.Flags));
        Assert.False(BpfRecord.TryRead(record.AsSpan(0, 55), out NsCloseShortEvent _));
    }

    [Fact]
    public void AnIpv4MappedAddressOnADualStackSocketIsReportedAsIpv4()
    {
        byte[] mapped = IPAddress.Parse("::ffff:198.51.100.7").GetAddressBytes();
        Assert.Equal(IPAddress.Parse("198.51.100.7"), BpfText.Address(NsAbi.AfInet6, mapped));
        Assert.Equal(IPAddress.Parse("2001:db8::2"), BpfText.Address(NsAbi.AfInet6, IPAddress.Parse("2001:db8::2").GetAddressBytes()));
    }

    /// <summary>TimestampNs -> timestamp_ns, Pad0 -> pad0: the C names of the mirror's fields.</summary>
    private static string SnakeCase(string name)
    {
        var result = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) result.Append('_');
            result.Append(char.ToLowerInvariant(name[i]));
        }
        return result.ToString();
    }

    [Fact]
    public void MissingCapabilitiesAreNamed()
    {
        const ulong netAdmin = 1UL << 12, sysAdmin = 1UL << 21, perfmon = 1UL << 38, bpf = 1UL << 39;
        Assert.Null(BpfPrerequisites.MissingCapabilities(bpf | perfmon | netAdmin));
        Assert.Null(BpfPrerequisites.MissingCapabilities(sysAdmin | netAdmin));
        Assert.Equal("the eBPF source needs root, or CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN (missing: CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN)",
            BpfPrerequisites.MissingCapabilities(0));
        Assert.Equal("the eBPF source needs root, or CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN (missing: CAP_NET_ADMIN)",
            BpfPrerequisites.MissingCapabilities(bpf | perfmon));
    }

    internal static string BpfSourceDir([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "bpf"));

    internal static (int Exit, string Output) Run(string file, string args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }
}
