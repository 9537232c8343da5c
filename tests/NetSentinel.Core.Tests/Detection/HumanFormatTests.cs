using NetSentinel.Core.Detection;

namespace NetSentinel.Core.Tests.Detection;

public class HumanFormatTests
{
    [Theory]
    [InlineData(0, "0 B/s")]
    [InlineData(999, "999 B/s")]
    [InlineData(1000, "1.0 kB/s")]
    [InlineData(7_100_000, "7.1 MB/s")]
    [InlineData(5_000_000_000, "5.0 GB/s")]
    public void RatesUseDecimalUnits(double bytesPerSecond, string expected) =>
        Assert.Equal(expected, HumanFormat.BytesPerSecond(bytesPerSecond));

    [Theory]
    [InlineData(5, "5 s")]
    [InlineData(0, "0 s")]
    [InlineData(0.0016, "1.6 ms")]
    [InlineData(0.25, "0.25 s")]
    [InlineData(2.5, "2.5 s")]
    [InlineData(65, "1 min 5 s")]
    [InlineData(7260, "2 h 1 min")]
    public void DurationsReadNaturally(double seconds, string expected) =>
        Assert.Equal(expected, HumanFormat.Duration(TimeSpan.FromSeconds(seconds)));
}
