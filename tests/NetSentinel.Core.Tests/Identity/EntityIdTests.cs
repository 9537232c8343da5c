using NetSentinel.Core.Identity;

namespace NetSentinel.Core.Tests.Identity;

public class EntityIdTests
{
    private const string Host = "5c0e7a1e0f8b4f0b9d2a6c3e1f4a7b8c";
    private const string Boot = "8a3f1d2e-6b4c-4d5e-9f0a-1b2c3d4e5f60";

    [Fact]
    public void SameProcessSameId()
    {
        Assert.Equal(EntityId.Derive(Host, Boot, 4242, 123456), EntityId.Derive(Host, Boot, 4242, 123456));
    }

    [Fact]
    public void AReusedPidAnotherBootOrAnotherHostIsAnotherProcess()
    {
        string id = EntityId.Derive(Host, Boot, 4242, 123456);
        Assert.NotEqual(id, EntityId.Derive(Host, Boot, 4242, 123457));
        Assert.NotEqual(id, EntityId.Derive(Host, Boot.Replace('8', '9'), 4242, 123456));
        Assert.NotEqual(id, EntityId.Derive(Host.Replace('5', '6'), Boot, 4242, 123456));
        Assert.NotEqual(id, EntityId.Derive(Host, Boot, 4243, 123456));
    }

    [Fact]
    public void TheIdIsTheSameAsEverWhicheverSha256ComputesIt()
    {
        // base64url(SHA-256("host|boot|pid|ticks")[..16]), as Python's hashlib and base64 give it: ids in old logs still match.
        Assert.Equal("BAl-czB53XonthTLxUNUdg", EntityId.Derive(Host, Boot, 4242, 123456));
        var random = new Random(15);
        for (int i = 0; i < 200; i++)
        {
            int pid = random.Next(1, 4_194_304);
            ulong ticks = (ulong)random.NextInt64(0, long.MaxValue);
            byte[] platform = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{Host}|{Boot}|{pid}|{ticks}"));
            string expected = Convert.ToBase64String(platform, 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            Assert.Equal(expected, EntityId.Derive(Host, Boot, pid, ticks));
        }
    }

    [Fact]
    public void ShortAndSafeInAUrl()
    {
        string id = EntityId.Derive(Host, Boot, 1, 0);
        Assert.Equal(22, id.Length);
        Assert.Matches("^[A-Za-z0-9_-]+$", id);
    }

    [Fact]
    public void KernelNanosecondsRoundToTheProcTick()
    {
        // /proc/PID/stat says 1234 ticks for a process the kernel saw start at 12.345678901 s after boot.
        Assert.Equal(1234UL, EntityId.TicksFromBootNanoseconds(12_345_678_901));
    }
}
