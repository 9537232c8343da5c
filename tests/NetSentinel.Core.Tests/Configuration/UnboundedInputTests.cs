using System.Diagnostics;
using System.Runtime.Versioning;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;

namespace NetSentinel.Core.Tests.Configuration;

/// <summary>
/// Issue 11, case 7: a FIFO given as -c or blocklist.file hung forever; blocklist.file = "/dev/zero" grew the monitor
/// to 2.3 GB in 6 s (the size check saw length 0). Each must now be one line at once, reading a bounded amount.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class UnboundedInputTests : IDisposable
{
    private static readonly TimeSpan AtOnce = TimeSpan.FromSeconds(5);
    private readonly string _dir = Directory.CreateTempSubdirectory("ns-inputs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Fifo()
    {
        string path = Path.Combine(_dir, "fifo");
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    private static ConfigException FailsAtOnce(Action load)
    {
        var attempt = Task.Run(load);
        Assert.True(Task.WhenAny(attempt, Task.Delay(AtOnce)).Result == attempt, "the read did not return: it waits on the input");
        return Assert.IsType<ConfigException>(attempt.Exception?.InnerException);
    }

    [Fact]
    public void AFifoAsTheConfigFileIsRefusedAtOnce()
    {
        string fifo = Fifo();
        var problem = FailsAtOnce(() => MonitorConfigFile.Load(fifo));
        Assert.Equal($"cannot read config file '{fifo}': it is a FIFO, not a regular file", problem.Message);
    }

    [Fact]
    public void AFifoAsTheBlocklistIsRefusedAtOnce()
    {
        string fifo = Fifo();
        var problem = FailsAtOnce(() => BlocklistFile.Load(fifo));
        Assert.Equal($"cannot read blocklist file '{fifo}': it is a FIFO, not a regular file", problem.Message);
    }

    [Theory]
    [InlineData("/dev/zero", "a character device")]
    [InlineData("/dev/null", "a character device")]
    public void ADeviceAsTheBlocklistIsRefusedWithoutReadingIt(string device, string kind)
    {
        // On this thread, so other tests running in parallel do not count (a device never blocks the open).
        long before = GC.GetAllocatedBytesForCurrentThread();
        var problem = Assert.Throws<ConfigException>(() => BlocklistFile.Load(device));
        Assert.Equal($"cannot read blocklist file '{device}': it is {kind}, not a regular file", problem.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 * 1024 * 1024);
    }

    [Fact]
    public void ABlocklistLargerThanTheBoundIsRefusedByTheBytesRead()
    {
        string big = Path.Combine(_dir, "big.txt");
        using (var file = File.Create(big))
        {
            file.SetLength(BlocklistFile.MaxFileBytes + 1); // sparse: costs no disk
        }
        var problem = FailsAtOnce(() => BlocklistFile.Load(big));
        Assert.Equal($"cannot read blocklist file '{big}': larger than 64 MiB — is this the right file?", problem.Message);
    }
}
