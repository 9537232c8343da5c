using System.Text;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Output;

public sealed class EventIdsTests
{
    [Fact]
    public void IdsAreUuidVersion7WithTheirMillisecondAndNeverRepeatAcrossRefills()
    {
        var now = new DateTimeOffset(2026, 11, 30, 9, 36, 15, 503, TimeSpan.Zero);
        var seen = new HashSet<Guid>();
        Span<byte> text = stackalloc byte[EventIds.Utf8Length];
        for (int i = 0; i < 10_000; i++) // two refills of the random block at least
        {
            EventIds.Write(text, now);
            string id = Encoding.ASCII.GetString(text);
            Guid guid = Guid.ParseExact(id, "D");
            Assert.Equal(guid.ToString("D"), id); // lower case, grouped as Guid writes it
            Assert.True(seen.Add(guid), $"{id} repeated");
            Assert.Equal(7, guid.Version);
            Assert.Contains(id[19], "89ab"); // the RFC 9562 variant: the first hex digit of the fourth group
            byte[] bytes = guid.ToByteArray(bigEndian: true);
            long milliseconds = ((long)bytes[0] << 40) | ((long)bytes[1] << 32) | ((long)bytes[2] << 24) | ((long)bytes[3] << 16) | ((long)bytes[4] << 8) | bytes[5];
            Assert.Equal(now.ToUnixTimeMilliseconds(), milliseconds);
        }
    }
}
