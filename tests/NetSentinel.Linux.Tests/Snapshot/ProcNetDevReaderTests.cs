using NetSentinel.Linux.Snapshot;

namespace NetSentinel.Linux.Tests.Snapshot;

public class ProcNetDevReaderTests
{
    private const string Sample =
        "Inter-|   Receive                                                |  Transmit\n" +
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n" +
        "    lo: 9999999   12345    0    0    0     0          0         0  9999999   12345    0    0    0     0       0          0\n" +
        "  eth0: 1500000    3000    0    0    0     0          0         0   250000    2000    0    0    0     0       0          0\n" +
        "  wlan0:12345678901 9 0 0 0 0 0 0 42 1 0 0 0 0 0 0\n" +
        "docker0:       0       0    0    0    0     0          0         0      700       7    0    0    0     0       0          0\n";

    [Fact]
    public void SumsEveryInterfaceExceptLoopback()
    {
        Assert.Equal(new NetDevTotals(1500000 + 12345678901, 250000 + 42 + 700), ProcNetDevReader.Parse(Sample));
    }

    [Fact]
    public void MalformedLinesAreSkipped()
    {
        string text = Sample + "  bad0: x y z\n  short0: 5 1 0\nnocolon 1 2 3\n";
        Assert.Equal(new NetDevTotals(1500000 + 12345678901, 250000 + 42 + 700), ProcNetDevReader.Parse(text));
        Assert.Equal(new NetDevTotals(0, 0), ProcNetDevReader.Parse(""));
    }

    [Fact]
    public void ReadsTheRealFile()
    {
        NetDevTotals totals = new ProcNetDevReader().Read();
        Assert.True(totals.BytesReceived >= 0 && totals.BytesSent >= 0);
    }
}
