using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Windows.IpHelper;

namespace NetSentinel.Windows.Tests.IpHelper;

public class IpHelperTableParserTests
{
    [Fact]
    public void Tcp4RowDecodesStateAddressesPortsAndPid()
    {
        var buffer = new TableBufferBuilder(1)
            .Dword(5).Address("198.51.100.7").Port(50123).Address("93.184.216.34").Port(443).Dword(4242)
            .Build();

        Assert.Equal(4 + 24, buffer.Length);
        var row = Assert.Single(IpHelperTableParser.ParseTcp4(buffer));
        Assert.Equal(Transport.Tcp, row.Transport);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 50123), row.Local);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("93.184.216.34"), 443), row.Remote);
        Assert.Equal(5u, row.TcpState);
        Assert.Equal(4242, row.ProcessId);
    }

    [Fact]
    public void PortBytesAreNetworkOrderAndUpperHalfIsIgnored()
    {
        // 0x1F90 = 8080: bytes 1F 90 in the DWORD's first two bytes, junk after.
        var buffer = new TableBufferBuilder(1).Dword(2).Address("0.0.0.0").Port(8080).Address("0.0.0.0").Port(0).Dword(1).Build();
        Assert.Equal(0x1F, buffer[12]); // header 4 + state 4 + local address 4
        Assert.Equal(0x90, buffer[13]);

        var row = Assert.Single(IpHelperTableParser.ParseTcp4(buffer));
        Assert.Equal(8080, row.Local.Port);
        Assert.Equal(0, row.Remote.Port);
    }

    [Fact]
    public void RowCountHeaderDecidesHowManyRowsAreRead()
    {
        var buffer = new TableBufferBuilder(2)
            .Dword(2).Address("0.0.0.0").Port(80).Address("0.0.0.0").Port(0).Dword(10)
            .Dword(11).Address("127.0.0.1").Port(5000).Address("127.0.0.1").Port(80).Dword(0)
            // a third row beyond the count (the API over-allocates): must not be read
            .Dword(5).Address("10.0.0.1").Port(1).Address("10.0.0.2").Port(2).Dword(99)
            .Build();

        var rows = IpHelperTableParser.ParseTcp4(buffer);
        Assert.Equal([10, 0], rows.Select(r => r.ProcessId));
        Assert.Equal([2u, 11u], rows.Select(r => r.TcpState));
    }

    [Fact]
    public void EmptyTableHasNoRows()
    {
        Assert.Empty(IpHelperTableParser.ParseTcp4(new TableBufferBuilder(0).Build()));
        Assert.Empty(IpHelperTableParser.ParseUdp6(new TableBufferBuilder(0).Build()));
    }

    [Fact]
    public void TruncatedBufferIsRejectedWithOneLine()
    {
        var full = new TableBufferBuilder(2)
            .Dword(5).Address("10.0.0.1").Port(1).Address("10.0.0.2").Port(2).Dword(7)
            .Dword(5).Address("10.0.0.1").Port(3).Address("10.0.0.2").Port(4).Dword(7)
            .Build();

        var error = Assert.Throws<IpHelperTableFormatException>(() => IpHelperTableParser.ParseTcp4(full.AsSpan(0, full.Length - 1)));
        Assert.Equal("IP Helper TCP (IPv4) table: header says 2 rows (52 bytes) but the buffer holds 51 bytes", error.Message);
        Assert.Throws<IpHelperTableFormatException>(() => IpHelperTableParser.ParseTcp4(new byte[3]));
    }

    [Fact]
    public void HugeRowCountDoesNotOverflow()
    {
        var buffer = new TableBufferBuilder(uint.MaxValue).Build();
        var error = Assert.Throws<IpHelperTableFormatException>(() => IpHelperTableParser.ParseTcp6(buffer));
        Assert.Contains("4294967295 rows", error.Message);
    }

    [Fact]
    public void Tcp6RowDecodesSixteenByteAddressesScopesPortsStateAndPid()
    {
        var buffer = new TableBufferBuilder(1)
            .Address("fe80::1").Scope(12).Port(49700)
            .Address("2001:db8::2").Scope(0).Port(22)
            .Dword(3).Dword(777)
            .Build();

        Assert.Equal(4 + 56, buffer.Length);
        var row = Assert.Single(IpHelperTableParser.ParseTcp6(buffer));
        Assert.Equal(IPAddress.Parse("fe80::1%12"), row.Local.Address);
        Assert.Equal(12, row.Local.Address.ScopeId);
        Assert.Equal(49700, row.Local.Port);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::2"), 22), row.Remote);
        Assert.Equal(3u, row.TcpState);
        Assert.Equal(777, row.ProcessId);
    }

    [Fact]
    public void ScopeIsReadInNetworkByteOrder()
    {
        // 0x0000000C big-endian is interface 12; read little-endian it would be 201326592.
        var buffer = new TableBufferBuilder(1).Address("fe80::1").Scope(12).Port(5353).Dword(88).Build();

        Assert.Equal(12, Assert.Single(IpHelperTableParser.ParseUdp6(buffer)).Local.Address.ScopeId);
    }

    [Theory]
    [InlineData("::1")]
    [InlineData("2001:db8::2")]
    [InlineData("::")]
    public void ScopeIsDroppedForAddressesThatAreNotLinkLocal(string address)
    {
        // Wine 8 reports ::1 with a scope; kept, "::1%N" is neither loopback nor equal to ETW's "::1".
        var buffer = new TableBufferBuilder(1)
            .Address(address).Scope(4096).Port(40344)
            .Address(address).Scope(4096).Port(32979)
            .Dword(5).Dword(0)
            .Build();

        var row = Assert.Single(IpHelperTableParser.ParseTcp6(buffer));
        Assert.Equal(IPAddress.Parse(address), row.Local.Address);
        Assert.Equal(0, row.Remote.Address.ScopeId);
    }

    [Fact]
    public void Udp4RowHasNoPeer()
    {
        var buffer = new TableBufferBuilder(1).Address("0.0.0.0").Port(53).Dword(1234).Build();

        Assert.Equal(4 + 12, buffer.Length);
        var row = Assert.Single(IpHelperTableParser.ParseUdp4(buffer));
        Assert.Equal((Transport.Udp, 53, 1234), (row.Transport, row.Local.Port, row.ProcessId));
        Assert.Equal(new IPEndPoint(IPAddress.Any, 0), row.Remote);
    }

    [Fact]
    public void Udp6RowDecodesAddressScopePortAndPid()
    {
        var buffer = new TableBufferBuilder(1).Address("2001:db8::5").Scope(0).Port(5353).Dword(88).Build();

        Assert.Equal(4 + 28, buffer.Length);
        var row = Assert.Single(IpHelperTableParser.ParseUdp6(buffer));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::5"), 5353), row.Local);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Any, 0), row.Remote);
        Assert.Equal(88, row.ProcessId);
    }
}
