using System.Text;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Snapshot;

namespace NetSentinel.Linux.Tests.Snapshot;

public class SnapshotParsingTests
{
    [Theory]
    [InlineData("socket:[123]", true, 123u)]
    [InlineData("socket:[4294967295]", true, 4294967295u)]
    [InlineData("socket:[4294967296]", false, 0u)]
    [InlineData("socket:[]", false, 0u)]
    [InlineData("socket:[12a]", false, 0u)]
    [InlineData("pipe:[123]", false, 0u)]
    [InlineData("/dev/null", false, 0u)]
    public void SocketLinkParsing(string link, bool ok, uint inode)
    {
        Assert.Equal(ok, SocketOwnerScanner.TryParseSocketInode(Encoding.ASCII.GetBytes(link), out uint parsed));
        Assert.Equal(inode, parsed);
    }

    [Theory]
    [InlineData(1001L, (byte)1, true, 1000L)]   // ESTABLISHED, our SYN counted
    [InlineData(300L, (byte)1, false, 300L)]    // accepted: the SYN-ACK is not counted
    [InlineData(1002L, (byte)5, true, 1000L)]   // FIN_WAIT2: SYN and acknowledged FIN
    [InlineData(0L, (byte)2, true, 0L)]         // SYN_SENT
    [InlineData(-1L, (byte)1, true, -1L)]       // unknown stays unknown
    public void SentCounterDropsSynAndFin(long acked, byte state, bool activeOpen, long expected)
    {
        Assert.Equal(expected, TcpPayloadCounters.Sent(acked, state, activeOpen));
    }

    [Theory]
    [InlineData(1001L, (byte)8, 1000L)]  // CLOSE_WAIT: peer FIN counted
    [InlineData(1000L, (byte)1, 1000L)]
    [InlineData(-1L, (byte)8, -1L)]
    public void ReceivedCounterDropsPeerFin(long received, byte state, long expected)
    {
        Assert.Equal(expected, TcpPayloadCounters.Received(received, state));
    }

    [Fact]
    public void DirectionFollowsListenersOfTheSameFamilyWithMappedAddressesAsIPv4()
    {
        var set = new ListeningPortSet();
        set.Add(Tcp(DiagSocket.FamilyV4, V4(10, 0, 0, 1), 80, TcpStates.Listen));
        set.Add(Tcp(DiagSocket.FamilyV6, UInt128.Zero, 443, TcpStates.Listen));

        Assert.Equal(Direction.Inbound, set.Classify(Tcp(DiagSocket.FamilyV4, V4(10, 0, 0, 1), 80, TcpStates.Established)));
        Assert.Equal(Direction.Outbound, set.Classify(Tcp(DiagSocket.FamilyV4, V4(10, 0, 0, 2), 80, TcpStates.Established)));
        Assert.Equal(Direction.Inbound, set.Classify(Tcp(DiagSocket.FamilyV6, Mapped(V4(10, 0, 0, 1)), 80, TcpStates.Established)));
        Assert.Equal(Direction.Inbound, set.Classify(Tcp(DiagSocket.FamilyV6, Mapped(V4(192, 0, 2, 9)), 443, TcpStates.Established)));
        Assert.Equal(Direction.Outbound, set.Classify(Tcp(DiagSocket.FamilyV4, V4(192, 0, 2, 9), 443, TcpStates.Established)));
        Assert.Equal(Direction.Listening, set.Classify(Tcp(DiagSocket.FamilyV4, V4(10, 0, 0, 1), 80, TcpStates.Listen)));
    }

    private static DiagSocket Tcp(byte family, UInt128 address, ushort port, byte state) =>
        new() { Family = family, Transport = Transport.Tcp, LocalAddress = address, LocalPort = port, State = state };

    private static UInt128 V4(byte a, byte b, byte c, byte d) => (uint)(a | (b << 8) | (c << 16) | (d << 24));

    private static UInt128 Mapped(UInt128 v4) => ((UInt128)0xFFFF << 80) | (v4 << 96);
}
