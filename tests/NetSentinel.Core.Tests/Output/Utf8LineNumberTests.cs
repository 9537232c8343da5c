using System.Buffers.Text;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Output;

/// <summary>Utf8Line writes numbers itself (issue #15): the same text Utf8Formatter writes, for every length and sign.</summary>
public sealed class Utf8LineNumberTests
{
    [Fact]
    public void NumbersAreWrittenAsUtf8FormatterWritesThem()
    {
        var values = new List<long> { 0, long.MaxValue, long.MinValue, long.MinValue + 1, -1 };
        for (long power = 1; power <= long.MaxValue / 10; power *= 10)
        {
            values.AddRange([power - 1, power, power + 1, -power, 10 * power - 1]);
        }
        var random = new Random(15);
        for (int i = 0; i < 100_000; i++)
        {
            values.Add(random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(64));
        }

        Span<byte> expected = stackalloc byte[32];
        Span<byte> buffer = stackalloc byte[64];
        foreach (long value in values)
        {
            Assert.True(Utf8Formatter.TryFormat(value, expected, out int length));
            var line = new Utf8Line(buffer);
            line.Append((byte)'[');
            line.AppendNumber(value);
            line.Append((byte)']');
            Assert.Equal($"[{System.Text.Encoding.ASCII.GetString(expected[..length])}]", System.Text.Encoding.ASCII.GetString(buffer[..line.Length]));
            if (value >= 0)
            {
                line = new Utf8Line(buffer);
                line.AppendNumber((ulong)value);
                Assert.Equal(length, line.Length);
            }
        }

        Assert.True(Utf8Formatter.TryFormat(ulong.MaxValue, expected, out int maxLength));
        var last = new Utf8Line(buffer);
        last.AppendNumber(ulong.MaxValue);
        Assert.Equal(expected[..maxLength].ToArray(), buffer[..last.Length].ToArray());
    }
}
