using System.Text;
using NetSentinel.Core.Identity;

namespace NetSentinel.Core.Tests.Identity;

/// <summary>The managed SHA-256 against the FIPS 180 examples and the platform's SHA-256 at every length around the block edges.</summary>
public class Sha256Tests
{
    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void PublishedExamples(string message, string expected)
    {
        Span<byte> digest = stackalloc byte[Sha256.HashSizeInBytes];
        Sha256.HashData(Encoding.ASCII.GetBytes(message), digest);
        Assert.Equal(expected, Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void SameDigestAsThePlatformAtEveryLengthUpTo300Bytes()
    {
        var random = new Random(15);
        Span<byte> digest = stackalloc byte[Sha256.HashSizeInBytes];
        for (int length = 0; length <= 300; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            Sha256.HashData(data, digest);
            Assert.True(System.Security.Cryptography.SHA256.HashData(data).AsSpan().SequenceEqual(digest), $"length {length}");
        }
    }

    [Fact]
    public void OneMillionAs()
    {
        Span<byte> digest = stackalloc byte[Sha256.HashSizeInBytes];
        Sha256.HashData(Encoding.ASCII.GetBytes(new string('a', 1_000_000)), digest);
        Assert.Equal("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", Convert.ToHexStringLower(digest));
    }
}
