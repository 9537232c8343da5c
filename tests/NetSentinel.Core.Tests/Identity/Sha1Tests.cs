using System.Text;
using NetSentinel.Core.Identity;

namespace NetSentinel.Core.Tests.Identity;

/// <summary>The managed SHA-1 against the FIPS 180 examples and the platform's SHA-1 at every length around the block edges.</summary>
public class Sha1Tests
{
    [Theory]
    [InlineData("", "da39a3ee5e6b4b0d3255bfef95601890afd80709")]
    [InlineData("abc", "a9993e364706816aba3e25717850c26c9cd0d89d")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1")]
    public void PublishedExamples(string message, string expected)
    {
        Span<byte> digest = stackalloc byte[Sha1.HashSizeInBytes];
        Sha1.HashData(Encoding.ASCII.GetBytes(message), digest);
        Assert.Equal(expected, Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void SameDigestAsThePlatformAtEveryLengthUpTo300Bytes()
    {
        var random = new Random(15);
        Span<byte> digest = stackalloc byte[Sha1.HashSizeInBytes];
        for (int length = 0; length <= 300; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            Sha1.HashData(data, digest);
            Assert.True(System.Security.Cryptography.SHA1.HashData(data).AsSpan().SequenceEqual(digest), $"length {length}");
        }
    }

    [Fact]
    public void OneMillionAs()
    {
        Span<byte> digest = stackalloc byte[Sha1.HashSizeInBytes];
        Sha1.HashData(Encoding.ASCII.GetBytes(new string('a', 1_000_000)), digest);
        Assert.Equal("34aa973cd4c4daa4f61eeb2bdbad27316534016f", Convert.ToHexStringLower(digest));
    }
}
