using NetSentinel.Core.Identity;

namespace NetSentinel.Core.Tests.Identity;

public class KernelRandomTests
{
    [Fact]
    public void FillsEveryByteOfALargeBlockDifferentlyEachTime()
    {
        var first = new byte[100_000]; // past getrandom's 256-byte uninterruptible size, as event ids' 40 KB block is
        var second = new byte[first.Length];
        KernelRandom.Fill(first);
        KernelRandom.Fill(second);

        Assert.False(first.AsSpan().SequenceEqual(second));
        // Each byte value about 1/256 of the time: a block left partly unfilled (zeros) would show.
        var counts = new int[256];
        foreach (byte b in first) counts[b]++;
        Assert.All(counts, c => Assert.InRange(c, 250, 550));
        Assert.Equal(-1, first.AsSpan(first.Length - 4096).IndexOf(new byte[64])); // the end filled too
    }
}
