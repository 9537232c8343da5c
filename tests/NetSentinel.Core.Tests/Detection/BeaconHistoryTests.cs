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

    [Fact]
    public void PastItsCapacityItKeepsTheLatestInOrder()
    {
        var history = new BeaconHistory(capacity: 5);
        for (int i = 0; i < 12; i++)
        {
            history.AddStart(T0.AddSeconds(i));
            history.AddSize(i);
        }

        Assert.Equal(Enumerable.Range(7, 5).Select(i => T0.AddSeconds(i)), history.Times);
        Assert.Equal([7L, 8, 9, 10, 11], history.Sizes);
        Assert.Equal((12L, T0.AddSeconds(7)), (history.Observations, history.FirstStart));
    }
}
