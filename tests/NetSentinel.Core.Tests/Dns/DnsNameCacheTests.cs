using System.Net;
using NetSentinel.Core.Dns;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Core.Tests.Dns;

public class DnsNameCacheTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 7, 0, 0, TimeSpan.Zero);
    private static readonly IPAddress A1 = IPAddress.Parse("198.51.100.1");
    private static readonly IPAddress A2 = IPAddress.Parse("198.51.100.2");

    private static DnsNameCache NewCache(int capacity = 1000) =>
        new(capacity, TimeSpan.FromSeconds(60), TimeSpan.FromHours(1), T0);

    private static DnsMessage Response(string name, uint ttl, params IPAddress[] addresses)
    {
        Assert.Equal(DnsParseStatus.Parsed, DnsMessageParser.Parse(DnsPacketBuilder.Response(name, ttl: ttl, addresses: addresses), false, out var m));
        return m!;
    }

    [Fact]
    public void A_process_sees_its_own_most_recent_name_others_see_the_host_wide_one()
    {
        var cache = NewCache();
        cache.Add(100, Response("one.example.test", 300, A1), T0);
        cache.Add(200, Response("two.example.test", 300, A1), T0.AddSeconds(1));

        var mine = cache.Lookup(100, A1, T0.AddSeconds(2))!;
        Assert.Equal("one.example.test", mine.Domain);
        Assert.Equal(["two.example.test"], mine.Others);
        Assert.Equal("two.example.test", cache.Lookup(999, A1, T0.AddSeconds(2))!.Domain);
        Assert.Null(cache.Lookup(100, A2, T0.AddSeconds(2)));
    }

    [Fact]
    public void Ipv4_answers_match_ipv4_mapped_destinations()
    {
        var cache = NewCache();
        cache.Add(1, Response("m.example.test", 300, A1), T0);
        Assert.Equal("m.example.test", cache.Lookup(1, A1.MapToIPv6(), T0)!.Domain);
    }

    [Fact]
    public void Ttl_is_held_between_floor_and_ceiling()
    {
        var cache = NewCache();
        cache.Add(1, Response("short.example.test", 1, A1), T0);
        cache.Add(1, Response("long.example.test", 604_800, A2), T0);
        Assert.NotNull(cache.Lookup(1, A1, T0.AddSeconds(59)));
        Assert.Null(cache.Lookup(1, A1, T0.AddSeconds(60)));
        Assert.NotNull(cache.Lookup(1, A2, T0.AddMinutes(59)));
        Assert.Null(cache.Lookup(1, A2, T0.AddMinutes(60)));
    }

    [Fact]
    public void Error_responses_and_queries_teach_nothing()
    {
        var cache = NewCache();
        DnsMessageParser.Parse(new DnsPacketBuilder().Header(1, response: true, rcode: 3, answers: 1).Question("nx.test").AnswerA(12, A1).ToArray(), false, out var nx);
        cache.Add(1, nx!, T0);
        DnsMessageParser.Parse(DnsPacketBuilder.Query("q.test"), false, out var query);
        cache.Add(1, query!, T0);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Cname_target_is_kept_beside_the_asked_name()
    {
        var b = new DnsPacketBuilder().Header(1, response: true, answers: 2).Question("www.example.test");
        int data = b.Length + 12;
        b.AnswerCname(12, "edge.cdn.test").AnswerA(data, A1);
        DnsMessageParser.Parse(b.ToArray(), false, out var m);
        var cache = NewCache();
        cache.Add(5, m!, T0);
        var names = cache.Lookup(5, A1, T0)!;
        Assert.Equal("www.example.test", names.Domain);
        Assert.Equal(["edge.cdn.test"], names.Others);
        Assert.Equal("example.test", names.RegistrableDomain);
    }

    [Fact]
    public void Bounded_with_evictions_counted_nearest_expiry_first()
    {
        var cache = NewCache(capacity: 10);
        for (int i = 0; i < 20; i++)
        {
            // Each answer is one entry (host-wide, standing for its one process too); later answers live longer.
            cache.Add(1, Response($"n{i}.example.test", (uint)(100 + i), new IPAddress([198, 51, 100, (byte)i])), T0);
        }
        Assert.Equal(10, cache.Count);
        Assert.Equal(10, cache.Evictions);
        Assert.Null(cache.Lookup(1, new IPAddress([198, 51, 100, 0]), T0));
        Assert.Equal("n19.example.test", cache.Lookup(1, new IPAddress([198, 51, 100, 19]), T0)!.Domain);
    }

    [Fact]
    public void Names_per_address_are_bounded_and_refreshing_moves_a_name_first()
    {
        var cache = NewCache();
        for (int i = 0; i < 10; i++)
        {
            cache.Add(1, Response($"v{i}.example.test", 300, A1), T0.AddSeconds(i));
        }
        cache.Add(1, Response("v8.example.test", 300, A1), T0.AddSeconds(20));
        var names = cache.Lookup(1, A1, T0.AddSeconds(21))!;
        Assert.Equal("v8.example.test", names.Domain);
        Assert.Equal(["v9.example.test", "v7.example.test", "v6.example.test"], names.Others);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void A_process_keeps_its_own_name_when_others_move_the_address_on_and_back()
    {
        var cache = NewCache();
        cache.Add(100, Response("one.example.test", 300, A1), T0);
        Assert.Equal(1, cache.Count); // one process, one address: the host-wide entry is its view too
        cache.Add(200, Response("two.example.test", 300, A1), T0.AddSeconds(1));
        cache.Add(300, Response("three.example.test", 300, A1), T0.AddSeconds(2));
        cache.Add(100, Response("four.example.test", 300, A1), T0.AddSeconds(3));

        Assert.Equal("four.example.test", cache.Lookup(100, A1, T0.AddSeconds(4))!.Domain);
        Assert.Equal("two.example.test", cache.Lookup(200, A1, T0.AddSeconds(4))!.Domain);
        Assert.Equal("three.example.test", cache.Lookup(300, A1, T0.AddSeconds(4))!.Domain);
        Assert.Equal("four.example.test", cache.Lookup(999, A1, T0.AddSeconds(4))!.Domain);
        Assert.Equal(4, cache.Count); // host-wide, plus the views of 100, 200 and 300 copied as the entry moved on
    }

    [Fact]
    public void Eviction_goes_by_nearest_expiry_whatever_the_insertion_order()
    {
        var cache = NewCache(capacity: 32);
        for (int i = 0; i < 32; i++)
        {
            // Odd addresses live longer than even ones.
            cache.Add(1, Response($"e{i}.example.test", (uint)(i % 2 == 0 ? 100 : 3000), new IPAddress([198, 51, 100, (byte)i])), T0);
        }
        cache.Add(1, Response("late.example.test", 3000, new IPAddress([198, 51, 100, 200])), T0);

        Assert.Equal(2, cache.Evictions); // a sixteenth of 32 at once
        Assert.Equal(31, cache.Count);
        for (int i = 1; i < 32; i += 2)
        {
            Assert.NotNull(cache.Lookup(1, new IPAddress([198, 51, 100, (byte)i]), T0));
        }
        Assert.Equal(14, Enumerable.Range(0, 16).Count(i => cache.Lookup(1, new IPAddress([198, 51, 100, (byte)(2 * i)]), T0) is not null));
    }

    [Fact]
    public void Expired_entries_are_purged()
    {
        var cache = NewCache();
        cache.Add(1, Response("p.example.test", 60, A1), T0);
        cache.Purge(T0.AddSeconds(61));
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Evictions);
    }
}
