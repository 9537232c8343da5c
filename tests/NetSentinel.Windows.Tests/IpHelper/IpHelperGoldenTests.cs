using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Windows.IpHelper;

namespace NetSentinel.Windows.Tests.IpHelper;

/// <summary>
/// The whole snapshot path (reader → parser → record builder) over the tables Wine 8 really returned
/// to the smoke test's probe (Golden/wine-8.0/README.md says how they were recorded and what the probe held).
/// </summary>
public class IpHelperGoldenTests
{
    private const int ProbePid = 332;
    private static readonly IPEndPoint V4Client = IPEndPoint.Parse("127.0.0.1:51144");
    private static readonly IPEndPoint V4Server = IPEndPoint.Parse("127.0.0.1:38201");
    private static readonly IPEndPoint V6Client = IPEndPoint.Parse("[::1]:35068");
    private static readonly IPEndPoint V6Server = IPEndPoint.Parse("[::1]:46715");

    private static IpHelperSnapshotProvider Provider(GoldenTableReader tables) =>
        new(new FakeProcessInfoResolver((ProbePid, @"Z:\tmp\windows-explore\café.exe")), tables);

    private static ConnectionRecord Find(IReadOnlyList<ConnectionRecord> records, IPEndPoint local, IPEndPoint remote) =>
        Assert.Single(records, r => r.Transport == Transport.Tcp && r.Local.Equals(local) && r.Remote.Equals(remote));

    [Fact]
    public void TheProbesIpv4ConnectionIsOutboundAndOwnedByIt()
    {
        var records = Provider(new GoldenTableReader()).Capture();

        var client = Find(records, V4Client, V4Server);
        Assert.Equal((Direction.Outbound, "ESTABLISHED", ProbePid, "café.exe"), (client.Direction, client.State, client.Process.Pid, client.Process.Name));
        Assert.Equal(AttributionSource.IpHelper, client.Process.IdentifiedBy);
        // The accepted side lives in wineserver: pid 0, and inbound because it sits on the listener's endpoint.
        var accepted = Find(records, V4Server, V4Client);
        Assert.Equal((Direction.Inbound, 0), (accepted.Direction, accepted.Process.Pid));
        Assert.Contains(records, r => r.Local.Equals(V4Server) && r.Direction == Direction.Listening);
        Assert.Contains(records, r => r.State == "TIME_WAIT" && r.Local.Port == 56210);
    }

    [Fact]
    public void Ipv6LoopbackRowsAreLoopbackWithoutScope()
    {
        var records = Provider(new GoldenTableReader()).Capture();

        var v6 = records.Where(r => r.Local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && r.Direction != Direction.Listening).ToList();
        Assert.NotEmpty(v6);
        Assert.All(v6, r => Assert.Equal(0, r.Local.Address.ScopeId));
        Assert.All(v6, r => Assert.True(r.IsLoopback, $"{r.Local} -> {r.Remote} is loopback"));
        var client = Find(records, V6Client, V6Server);
        Assert.Equal(Direction.Outbound, client.Direction);
        Assert.Equal(0, client.Process.Pid); // Wine gives no pid for IPv6 TCP rows
        Assert.Equal(Direction.Inbound, Find(records, V6Server, V6Client).Direction);
    }

    [Fact]
    public void UdpRowsAreBoundSocketsOfTheProbe()
    {
        var udp = Provider(new GoldenTableReader()).Capture().Where(r => r.Transport == Transport.Udp).ToList();

        Assert.Equal([IPEndPoint.Parse("127.0.0.1:41354"), IPEndPoint.Parse("[::1]:57214")], udp.Select(r => r.Local));
        Assert.All(udp, r => Assert.Equal((Direction.Listening, ProbePid), (r.Direction, r.Process.Pid)));
    }

    [Fact]
    public void OneUnreadableTableLeavesTheOthersAndIsNamed()
    {
        var provider = Provider(new GoldenTableReader(failing: IpHelperTable.Tcp6));

        var records = provider.Capture();

        Assert.Contains(records, r => r.Local.Equals(V4Client));
        Assert.Contains(records, r => r.Transport == Transport.Udp && r.Local.Port == 57214);
        Assert.DoesNotContain(records, r => r.Local.Equals(V6Client));
        Assert.Contains("Tcp6", provider.DegradedReason);
        Assert.Contains("Windows error 50", provider.DegradedReason);
    }

    [Fact]
    public void ATableThatRecoversClearsTheReason()
    {
        var tables = new GoldenTableReader(failing: IpHelperTable.Udp4);
        var provider = Provider(tables);
        provider.Capture();
        Assert.NotNull(provider.DegradedReason);

        tables.Failing = null;
        provider.Capture();

        Assert.Null(provider.DegradedReason);
    }

    [Fact]
    public void NoReadableTableIsAFailure()
    {
        var reader = new GoldenTableReader(failing: IpHelperTable.Tcp4) { FailAll = true };

        var error = Assert.Throws<IpHelperTableFormatException>(() => Provider(reader).Capture());
        Assert.Contains("no IP Helper table could be read", error.Message);
    }

    /// <summary>Serves the recorded buffers; a table named in <see cref="Failing"/> (or all) fails as iphlpapi would.</summary>
    private sealed class GoldenTableReader(IpHelperTable? failing = null) : IIpHelperTableReader
    {
        public IpHelperTable? Failing { get; set; } = failing;

        public bool FailAll { get; init; }

        public byte[] Read(IpHelperTable table)
        {
            if (FailAll || table == Failing)
                throw new IpHelperTableFormatException($"GetExtendedTcpTable ({table}) failed with Windows error 50");
            return File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "IpHelper", "Golden", "wine-8.0", table.ToString().ToLowerInvariant() + ".bin"));
        }
    }
}
