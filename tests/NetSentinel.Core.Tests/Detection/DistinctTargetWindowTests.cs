using System.Net;
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

    [Fact]
    public void OneValueIsHeldWithoutATableAndTheSecondMovesBothIntoOne()
    {
        var window = new DistinctTargetWindow<string>(capacity: 3);
        Assert.True(window.Add("a", T0.AddSeconds(10)));
        Assert.False(window.Add("a", T0.AddSeconds(20))); // the same value: a refresh
        Assert.Equal(["a"], window.Values);
        Assert.Equal(T0.AddSeconds(20), window.OldestSighting());
        Assert.True(window.Add("b", T0.AddSeconds(30)));
        Assert.Equal(["a", "b"], window.Values.Order());
        Assert.Equal(T0.AddSeconds(20), window.OldestSighting()); // a's refreshed time came along
        window.Expire(T0.AddSeconds(25));
        Assert.Equal(["b"], window.Values);
    }

    [Fact]
    public void ASingleValueExpiresAndTheWindowTakesANewOne()
    {
        var window = new DistinctTargetWindow<int>(capacity: 1);
        Assert.True(window.Add(1, T0));
        Assert.False(window.Add(2, T0.AddSeconds(1))); // capacity 1: not remembered
        Assert.Equal([1], window.Values);
        window.Expire(T0.AddSeconds(1));
        Assert.Equal(0, window.Count);
        Assert.Null(window.OldestSighting());
        Assert.True(window.Add(2, T0.AddSeconds(2)));
        Assert.Equal([2], window.Values);
    }

    [Fact]
    public void AnyMixOfAddsAndExpiriesMatchesAPlainTable()
    {
        var random = new Random(15);
        for (int round = 0; round < 200; round++)
        {
            int capacity = random.Next(1, 6);
            var window = new DistinctTargetWindow<int>(capacity);
            var expected = new Dictionary<int, DateTimeOffset>();
            for (int step = 0; step < 60; step++)
            {
                DateTimeOffset at = T0.AddSeconds(random.Next(0, 100));
                if (random.Next(4) == 0)
                {
                    window.Expire(at);
                    foreach (int stale in expected.Where(e => e.Value < at).Select(e => e.Key).ToList()) expected.Remove(stale);
                }
                else
                {
                    int value = random.Next(0, 8);
                    bool isNew = !expected.ContainsKey(value) && expected.Count < capacity;
                    if (expected.ContainsKey(value) || isNew) expected[value] = at;
                    Assert.Equal(isNew, window.Add(value, at));
                }
                Assert.Equal(expected.Keys.Order(), window.Values.Order());
                Assert.Equal(expected.Count == 0 ? null : expected.Values.Min(), window.OldestSighting());
            }
        }
    }

    [Fact]
    public void AddressesAreTheSameByValueNotByReferenceHeldAloneOrInTheTable()
    {
        // Each event brings its own IPAddress object: the window's comparer must compare the addresses.
        var window = new DistinctTargetWindow<IPAddress>(capacity: 4);
        Assert.True(window.Add(IPAddress.Parse("198.18.82.1"), T0));
        Assert.False(window.Add(IPAddress.Parse("198.18.82.1"), T0.AddSeconds(1))); // held alone
        Assert.True(window.Add(IPAddress.Parse("198.18.82.2"), T0.AddSeconds(2)));
        Assert.False(window.Add(IPAddress.Parse("198.18.82.1"), T0.AddSeconds(3))); // now in the table
        Assert.False(window.Add(IPAddress.Parse("198.18.82.2"), T0.AddSeconds(4)));
        Assert.Equal(2, window.Count);
        window.Expire(T0.AddSeconds(3));
        Assert.Equal(2, window.Count); // both refreshed at or after 3 s
    }
}
