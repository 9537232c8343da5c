using System.IO.Pipes;
using System.Text;
using NetSentinel.Core.Native;
using NetSentinel.Core.Output.Pipeline;

namespace NetSentinel.Core.Tests.Output;

public class DescriptorBatchWriterTests
{
    [Fact]
    public async Task APipeIsGrownSoAPausedReaderFindsItsLinesWaitingAndEveryByteArrives()
    {
        if (!OperatingSystem.IsLinux()) return; // F_SETPIPE_SZ is Linux's
        using var server = new AnonymousPipeServerStream(PipeDirection.In);
        using var client = new AnonymousPipeClientStream(PipeDirection.Out, server.ClientSafePipeHandle);
        int fd = (int)client.SafePipeHandle.DangerousGetHandle();
        Assert.Equal(64 * 1024, LibC.Fcntl(fd, LibC.F_GETPIPE_SZ, 0)); // Linux's default

        var writer = new DescriptorBatchWriter(fd);

        Assert.Equal(DescriptorBatchWriter.PipeBytes, LibC.Fcntl(fd, LibC.F_GETPIPE_SZ, 0));
        // 918 KB of lines go in while nobody reads: with the default 64 KiB the write would block (the Delay wins).
        byte[] lines = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 9_000).Select(i => $"{{\"line\":{i,8}}}{new string(' ', 84)}\n")));
        var written = Task.Run(() => writer.Write(lines));
        Assert.Same(written, await Task.WhenAny(written, Task.Delay(TimeSpan.FromSeconds(10))));
        var read = new byte[lines.Length];
        server.ReadExactly(read);
        Assert.Equal(lines, read);
    }

    [Fact]
    public void AFileIsWrittenAsBefore()
    {
        using var dir = new TemporaryDirectory();
        string path = dir.File("out.jsonl");
        using (var file = File.Create(path))
        {
            var writer = new DescriptorBatchWriter((int)file.SafeFileHandle.DangerousGetHandle()); // not a pipe: the size call fails harmlessly
            writer.Write("{\"a\":1}\n"u8);
        }
        Assert.Equal("{\"a\":1}\n", File.ReadAllText(path));
    }
}
