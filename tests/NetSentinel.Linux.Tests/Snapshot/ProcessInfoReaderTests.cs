using System.Diagnostics;
using System.Text;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Processes;
using NetSentinel.Core.Native;

namespace NetSentinel.Linux.Tests.Snapshot;

public class ProcessInfoReaderTests
{
    [Fact]
    public void ReadsNameExecutableCommandLineParentAndUidOfASpawnedChild()
    {
        var psi = new ProcessStartInfo("/usr/bin/sleep") { ArgumentList = { "30", "1s" } };
        using var child = Process.Start(psi)!;
        try
        {
            ProcessInfo? info = new ProcessInfoReader().Read(child.Id);

            Assert.NotNull(info);
            Assert.Equal(child.Id, info.Pid);
            Assert.Equal("sleep", info.Name);
            Assert.Equal(Path.GetFullPath(File.ResolveLinkTarget("/usr/bin/sleep", returnFinalTarget: true)?.FullName ?? "/usr/bin/sleep"), info.Executable);
            Assert.Equal("/usr/bin/sleep 30 1s", info.CommandLine);
            Assert.Equal(Environment.ProcessId, info.ParentPid);
            Assert.Equal((long)NetSentinel.Core.Native.LibC.Geteuid(), info.Uid);
            Assert.Equal(Environment.UserName, info.UserName);
            Assert.Equal(AttributionSource.Proc, info.IdentifiedBy);
        }
        finally
        {
            child.Kill();
            child.WaitForExit(5000);
        }
    }

    [Fact]
    public void SameStartTimeIsServedFromCacheAndAChangedStartTimeIsReadAgain()
    {
        using var proc = new FakeProcTree();
        var reader = new ProcessInfoReader(proc.Root);
        proc.WriteProcess(4242, "first", 1, startTime: 1000, uid: 0, "/usr/bin/first", FakeProcTree.Argv("first", "--a"));

        ProcessInfo first = reader.Read(4242)!;
        Assert.Equal(("first", "/usr/bin/first", "first --a", 1, 0L), (first.Name, first.Executable, first.CommandLine, first.ParentPid, first.Uid));

        // Same pid, same start time: the same process, even though its files now say something else.
        File.WriteAllBytes(Path.Combine(proc.Root, "4242", "cmdline"), FakeProcTree.Argv("rewritten"));
        Assert.Same(first, reader.Read(4242));

        // Same pid, new start time: the pid was reused by another process, which must not inherit the old identity.
        proc.WriteProcess(4242, "second", 77, startTime: 2000, uid: 1000, "/usr/bin/second", FakeProcTree.Argv("second", "-x"));
        ProcessInfo second = reader.Read(4242)!;
        Assert.NotSame(first, second);
        Assert.Equal(("second", "/usr/bin/second", "second -x", 77, 1000L), (second.Name, second.Executable, second.CommandLine, second.ParentPid, second.Uid));
        Assert.Equal(1, reader.CachedCount);
    }

    [Fact]
    public void MissingProcessIsNull()
    {
        using var proc = new FakeProcTree();
        var reader = new ProcessInfoReader(proc.Root);
        Assert.Null(reader.Read(999));
        Assert.Null(reader.Read(0));
        Assert.Null(reader.Read(-5));
    }

    [Fact]
    public void HostileNameAndCommandLineDecodeWithoutThrowing()
    {
        using var proc = new FakeProcTree();
        byte[] cmdline = [.. "evil\nline"u8, 0, 0xff, 0xfe, .. " arg"u8, 0];
        proc.WriteProcess(31337, "a) (b", 1, startTime: 5, uid: 0, "/tmp/x", cmdline);

        ProcessInfo info = new ProcessInfoReader(proc.Root).Read(31337)!;

        Assert.Equal("a) (b", info.Name);
        Assert.Equal("evil\nline \uFFFD\uFFFD arg", info.CommandLine);
    }

    [Theory]
    [InlineData(new byte[] { }, null)]
    [InlineData(new byte[] { 0, 0 }, null)]
    [InlineData(new byte[] { (byte)'a', 0, (byte)'b', 0, 0 }, "a b")]
    [InlineData(new byte[] { (byte)'a', 0xc3 }, "a\uFFFD")]
    public void CommandLineDecoderHandlesEdgeCases(byte[] raw, string? expected)
    {
        Assert.Equal(expected, CommandLineDecoder.Decode(raw));
    }

    [Fact]
    public void StatParserTakesTheNameUpToTheLastParenthesis()
    {
        byte[] stat = Encoding.UTF8.GetBytes("12 (x) 1 (y)) S 3 12 12 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 987654321 0 0\n");
        Assert.True(ProcStat.TryParse(stat, out ProcStat parsed));
        Assert.Equal(new ProcStat("x) 1 (y)", 3, 987654321UL), parsed);
        Assert.False(ProcStat.TryParse("12 (x) S 3 12"u8, out _));
        Assert.False(ProcStat.TryParse("garbage"u8, out _));
    }

    [Fact]
    public void RealUidIsTheFirstUidColumn()
    {
        Assert.Equal(1000, ProcIdentityReader.ParseRealUid("Name:\tx\nUid:\t1000\t0\t0\t0\n"u8));
        Assert.Equal(-1, ProcIdentityReader.ParseRealUid("Name:\tx\n"u8));
    }
}
