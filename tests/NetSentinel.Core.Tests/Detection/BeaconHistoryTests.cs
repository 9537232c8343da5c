using NetSentinel.Core.Detection;

namespace NetSentinel.Core.Tests.Detection;

public class BeaconHistoryTests
{
    private static readonly DateTimeOffset T0 = ManualClock.Start;

    [Fact]
    public void ASeriesOfOneConnectionHoldsRoomForAFewNotTheWholeHistory()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var history = new BeaconHistory(capacity: 32);
        history.AddStart(T0);
        history.AddSize(100);
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(bytes < 300, $"{bytes} bytes for one connection (a whole 32-connection history is ~600)");
        GC.KeepAlive(history);
    }

    [Theory]
    [InlineData(5, 12)]
    [InlineData(1, 3)]
    [InlineData(8, 8)]
    [InlineData(8, 21)]
    [InlineData(20, 75)] // a buffer of 32 for 20: the ring wraps by a mask, not at the capacity
    public void PastItsCapacityItKeepsTheLatestInOrder(int capacity, int added)
    {
        var history = new BeaconHistory(capacity);
        for (int i = 0; i < added; i++)
        {
            history.AddStart(T0.AddSeconds(i));
            history.AddSize(i);
        }

        int first = Math.Max(0, added - capacity);
        Assert.Equal(Enumerable.Range(first, added - first).Select(i => T0.AddSeconds(i)), history.Times);
        Assert.Equal(Enumerable.Range(first, added - first).Select(i => (long)i), history.Sizes);
        Assert.Equal(((long)added, T0.AddSeconds(first)), (history.Observations, history.FirstStart));
    }
}
