using System.Text;
using NetSentinel.Cli.SelfTest;

namespace NetSentinel.Cli.Tests.SelfTest;

/// <summary>The self-test's stdout filter: whole lines kept whatever the reads' cuts, multi-byte text intact, the last line without an end.</summary>
public class MentionFilterTests
{
    /// <summary>A stream that hands out at most <c>chunk</c> bytes per read, as a pipe does.</summary>
    private sealed class ChunkedStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));
    }

    private static List<string> Kept(string text, int chunk, params string[] needles)
    {
        var kept = new List<string>();
        new MentionFilter(needles, kept.Add).ReadToEnd(new ChunkedStream(Encoding.UTF8.GetBytes(text), chunk));
        return kept;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void KeepsExactlyTheLinesMentioningANeedleWhateverTheReadsCut(int chunk)
    {
        string text = "{\"process\":\"curl\"}\n{\"process\":\"port-sweep\",\"é\":\"ü\"}\r\nnothing here\n\n{\"x\":\"tcp-beacon\"}";
        Assert.Equal(
            ["{\"process\":\"port-sweep\",\"é\":\"ü\"}", "{\"x\":\"tcp-beacon\"}"],
            Kept(text, chunk, "port-sweep", "tcp-beacon"));
    }

    [Fact]
    public void KeepsUpWithAStormOfOtherLines()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 200_000; i++)
        {
            text.Append("{\"event\":{\"action\":\"connection-opened\"},\"process\":{\"name\":\"nginx\",\"pid\":").Append(i).Append("}}\n");
            if (i % 1000 == 0)
            {
                text.Append("{\"process\":{\"name\":\"udp-beacon\",\"pid\":").Append(i).Append("}}\n");
            }
        }
        var kept = Kept(text.ToString(), 65536, "udp-beacon", "/tmp/selftest/udp-beacon");
        Assert.Equal(200, kept.Count);
        Assert.Equal("{\"process\":{\"name\":\"udp-beacon\",\"pid\":199000}}", kept[^1]);
    }
}
