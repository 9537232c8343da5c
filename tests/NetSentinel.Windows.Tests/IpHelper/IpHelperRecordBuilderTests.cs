using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Windows.IpHelper;

namespace NetSentinel.Windows.Tests.IpHelper;

public class IpHelperRecordBuilderTests
{
    private static readonly FakeProcessInfoResolver Processes = new((100, @"C:\Program Files\Server\server.exe"), (200, @"C:\Tools\curl.exe"));

    private static IpHelperSocketRow Tcp(uint state, string local, int localPort, string remote, int remotePort, int pid) =>
        new(Transport.Tcp, new IPEndPoint(IPAddress.Parse(local), localPort), new IPEndPoint(IPAddress.Parse(remote), remotePort), state, pid);

    [Fact]
    public void DirectionFollowsListeningPorts()
    {
        var rows = new List<IpHelperSocketRow>
        {
            Tcp(2, "0.0.0.0", 8443, "0.0.0.0", 0, 100),                  // LISTEN
            Tcp(5, "198.51.100.1", 8443, "198.51.100.9", 50000, 100),    // accepted on the listening port
            Tcp(5, "198.51.100.1", 50001, "198.51.100.9", 443, 200),     // we connected out
            Tcp(3, "198.51.100.1", 50002, "198.51.100.10", 22, 200),     // SYN_SENT
            new(Transport.Udp, new IPEndPoint(IPAddress.Any, 53), new IPEndPoint(IPAddress.Any, 0), 0, 100),
        };

        var records = IpHelperRecordBuilder.Build(rows, Processes);

        Assert.Equal([Direction.Listening, Direction.Inbound, Direction.Outbound, Direction.Outbound, Direction.Listening], records.Select(r => r.Direction));
        Assert.Equal(["LISTEN", "ESTABLISHED", "ESTABLISHED", "SYN_SENT", "UNCONN"], records.Select(r => r.State));
    }

    [Fact]
    public void DirectionNeedsTheListenersAddressAndFamilyNotOnlyItsPort()
    {
        var rows = new List<IpHelperSocketRow>
        {
            Tcp(2, "127.0.0.1", 8080, "0.0.0.0", 0, 100),                // LISTEN on loopback only
            Tcp(2, "::", 9090, "::", 0, 100),                            // LISTEN on every IPv6 address
            Tcp(5, "127.0.0.1", 8080, "127.0.0.1", 50000, 100),          // accepted by the loopback listener
            Tcp(5, "198.51.100.1", 8080, "198.51.100.9", 443, 200),      // same port, other address: our connect
            Tcp(5, "198.51.100.1", 9090, "198.51.100.9", 443, 200),      // same port, other family: our connect
            Tcp(5, "2001:db8::1", 9090, "2001:db8::9", 50001, 100),      // accepted by the IPv6 wildcard listener
        };

        var records = IpHelperRecordBuilder.Build(rows, Processes);

        Assert.Equal(
            [Direction.Listening, Direction.Listening, Direction.Inbound, Direction.Outbound, Direction.Outbound, Direction.Inbound],
            records.Select(r => r.Direction));
    }

    [Fact]
    public void OwnerIsResolvedOncePerPidAndMarkedIpHelper()
    {
        var processes = new FakeProcessInfoResolver((200, @"C:\Tools\curl.exe"));
        var rows = new List<IpHelperSocketRow>
        {
            Tcp(5, "10.0.0.1", 50001, "10.0.0.2", 443, 200),
            Tcp(5, "10.0.0.1", 50002, "10.0.0.2", 443, 200),
        };

        var records = IpHelperRecordBuilder.Build(rows, processes);

        Assert.Equal([200], processes.Asked);
        var owner = records[0].Process;
        Assert.Equal((200, "curl.exe", @"C:\Tools\curl.exe", AttributionSource.IpHelper), (owner.Pid, owner.Name, owner.Executable, owner.IdentifiedBy));
        Assert.Null(owner.CommandLine);
    }

    [Fact]
    public void IdleProcessOwnsNothing()
    {
        var records = IpHelperRecordBuilder.Build([Tcp(11, "10.0.0.1", 50001, "10.0.0.2", 443, 0)], Processes);
        Assert.Same(ProcessInfo.Unknown, records[0].Process);
        Assert.Equal("TIME_WAIT", records[0].State);
    }

    [Fact]
    public void ByteCountersAreUnknown()
    {
        var record = Assert.Single(IpHelperRecordBuilder.Build([Tcp(5, "10.0.0.1", 50001, "10.0.0.2", 443, 200)], Processes));
        Assert.Equal((-1L, -1L, -1L), (record.BytesSent, record.BytesReceived, record.Uid));
    }

    [Fact]
    public void SocketIdIsStableAcrossSnapshotsAndDiffersPerSocket()
    {
        var a = Tcp(5, "10.0.0.1", 50001, "10.0.0.2", 443, 200);
        var b = Tcp(5, "10.0.0.1", 50002, "10.0.0.2", 443, 200);

        ulong first = IpHelperRecordBuilder.SocketIdOf(a);
        Assert.Equal(first, IpHelperRecordBuilder.SocketIdOf(a with { TcpState = 8 })); // state changes, identity does not
        Assert.NotEqual(first, IpHelperRecordBuilder.SocketIdOf(b));
        Assert.NotEqual(first, IpHelperRecordBuilder.SocketIdOf(a with { ProcessId = 201 }));
        Assert.NotEqual(first, IpHelperRecordBuilder.SocketIdOf(a with { Transport = Transport.Udp }));
        Assert.NotEqual(0UL, first);
    }

    [Fact]
    public void ParsedBuffersFeedTheBuilderEndToEnd()
    {
        var tcp = new TableBufferBuilder(2)
            .Dword(2).Address("0.0.0.0").Port(3389).Address("0.0.0.0").Port(0).Dword(100)
            .Dword(5).Address("198.51.100.1").Port(3389).Address("198.51.100.50").Port(61000).Dword(100)
            .Build();
        var tcp6 = new TableBufferBuilder(1)
            .Address("2001:db8::1").Scope(0).Port(50500).Address("2001:db8::99").Scope(0).Port(443).Dword(5).Dword(200)
            .Build();

        var rows = IpHelperTableParser.ParseTcp4(tcp).Concat(IpHelperTableParser.ParseTcp6(tcp6)).ToList();
        var records = IpHelperRecordBuilder.Build(rows, Processes);

        Assert.Equal([Direction.Listening, Direction.Inbound, Direction.Outbound], records.Select(r => r.Direction));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::99"), 443), records[2].Remote);
        Assert.Equal("curl.exe", records[2].Process.Name);
    }
}
