using System.Text;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Output;

public sealed class TimestampTextTests
{
    [Fact]
    public void CachedTimestampTextsAreEachTimesOwn()
    {
        // The formatter keeps the last texts per millisecond: times that share a slot, a millisecond, or neither.
        var random = new Random(15);
        var start = new DateTimeOffset(2026, 11, 30, 23, 59, 59, 990, TimeSpan.Zero);
        Span<byte> text = stackalloc byte[EcsJsonFormatter.TimestampLength];
        for (int i = 0; i < 20_000; i++)
        {
            var time = start.AddTicks(random.NextInt64(0, 200 * TimeSpan.TicksPerMillisecond)).ToOffset(TimeSpan.FromHours(i % 3));
            EcsJsonFormatter.FormatTimestamp(time, text);
            Assert.Equal(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture), Encoding.ASCII.GetString(text));
        }
    }
}
