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

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(20)]
    public void ItsFirstStartIsTheOldestHeldAfterEveryStart(int capacity)
    {
        // FirstStart is kept in a field, not read from the ring: it must follow the first start, the growth of the
        // buffer, every start that drops the oldest, and a start earlier than the last (held at the last).
        var history = new BeaconHistory(capacity);
        int[] seconds = [10, 11, 11, 9, 14, 15, 3, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38];
        foreach (int second in seconds)
        {
            history.AddStart(T0.AddSeconds(second));

            Assert.Equal(history.Times[0], history.FirstStart);
            Assert.Equal(TimeSpan.Zero, history.FirstStart.Offset);
        }
    }
}
