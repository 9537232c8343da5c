using NetSentinel.Core.Detection;

namespace NetSentinel.Core.Tests.Detection;

public class DistinctTargetWindowTests
{
    private static readonly DateTimeOffset T0 = ManualClock.Start;

    [Fact]
    public void ExpireForgetsExactlyTheValuesNotSeenSinceTheCutoff()
    {
        var window = new DistinctTargetWindow<int>(capacity: 10);
        window.Add(1, T0);
        window.Add(2, T0.AddSeconds(30));
        window.Add(3, T0.AddSeconds(45));

        window.Expire(T0.AddSeconds(10));
        Assert.Equal([2, 3], window.Values.Order());
        window.Expire(T0.AddSeconds(20)); // nothing older than 30 s is held: a no-op
        Assert.Equal(2, window.Count);
        window.Expire(T0.AddSeconds(31));
        Assert.Equal([3], window.Values);
        window.Expire(T0.AddSeconds(46));
        Assert.Equal(0, window.Count);
    }

    [Fact]
    public void ARefreshedValueSurvivesAndAnOutOfOrderSightingIsStillExpired()
    {
        var window = new DistinctTargetWindow<int>(capacity: 10);
        window.Add(1, T0.AddSeconds(50));
        window.Add(2, T0.AddSeconds(60));
        window.Expire(T0.AddSeconds(40)); // bound is now 50 s
        window.Add(2, T0.AddSeconds(5));  // arrives late, with an earlier time

        window.Expire(T0.AddSeconds(10));
        Assert.Equal([1], window.Values);
    }

    [Fact]
    public void PastCapacityNewValuesAreNotRememberedSoTheCountStaysExactUpToIt()
    {
        var window = new DistinctTargetWindow<int>(capacity: 3);
        Assert.Equal([true, true, true, false, false], new[] { 1, 2, 3, 4, 1 }.Select(v => window.Add(v, T0)).ToArray());
        Assert.Equal(3, window.Count);
    }
}
