using System.Net;
using NetSentinel.Core.Dns;
using Xunit.Abstractions;

namespace NetSentinel.Core.Tests.Dns;

/// <summary>
/// What the name cache holds in memory for 100,000 names (each resolved by one process to its own address: one
/// entry, the host-wide one standing for that process's view). The figure is printed (docs/detectors.md quotes it); the bound
/// only catches a regression by a large factor.
/// </summary>
[Collection(HeapMeasurementCollection.Name)]
public class DnsNameCacheMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public void A_hundred_thousand_names_fit_in_a_bounded_amount_of_memory()
    {
        const int names = 100_000;
        var start = DateTimeOffset.UnixEpoch;
        var messages = new DnsMessage[names];
        for (int i = 0; i < names; i++)
        {
            string name = $"host{i:D6}.example{i % 1000:D3}.test";
            var address = IPAddress.Parse($"2001:db8::{i >> 16:x}:{i & 0xffff:x}");
            messages[i] = new DnsMessage
            {
                Id = 1, IsResponse = true, ResponseCode = 0, QuestionName = name, QuestionType = DnsRecordType.A, Complete = true,
                Answers = [new DnsAnswer(name, DnsRecordType.A, 300, address, null)],
            };
        }
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var cache = new DnsNameCache(names, TimeSpan.FromSeconds(60), TimeSpan.FromHours(1), start);
        for (int i = 0; i < names; i++)
        {
            cache.Add(1000 + (i % 50), messages[i], start);
        }
        long after = GC.GetTotalMemory(forceFullCollection: true);
        // The names' own strings are the messages' (interned by the cache, not copied): count them as the cache's.
        long strings = messages.Sum(m => 22 + (2L * m.QuestionName.Length));
        double megabytes = (after - before + strings) / 1024.0 / 1024.0;
        output.WriteLine($"name cache: {cache.Count} entries for {names} names: {megabytes:0.0} MiB ({(after - before + strings) / names} bytes per name)");
        GC.KeepAlive(messages);
        Assert.Equal(names, cache.Count);
        Assert.InRange(megabytes, 1, 64);
    }
}
