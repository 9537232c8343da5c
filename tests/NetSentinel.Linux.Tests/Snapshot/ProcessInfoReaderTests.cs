using System.Diagnostics;
using System.Text;
using NetSentinel.Core.Identity;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Bpf.Abi;
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
            Assert.Equal(["/usr/bin/sleep", "30", "1s"], info.Args);
            Assert.False(info.CommandLineTruncated);
            Assert.NotNull(info.EntityId);
            Assert.InRange(info.Start!.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
            // The file actually executed, as stat(1) names it.
            var stat = Process.Start(new ProcessStartInfo("stat", ["-L", "-c", "%d %i", $"/proc/{child.Id}/exe"]) { RedirectStandardOutput = true })!;
            Assert.Equal(stat.StandardOutput.ReadToEnd().Trim(), $"{info.ExecutableDevice} {info.ExecutableInode}");
            Assert.Equal(Environment.ProcessId, info.Ancestry[0].Pid);
            Assert.Equal(new ProcessInfoReader().Read(Environment.ProcessId)!.EntityId, info.Ancestry[0].EntityId);
            Assert.NotNull(info.NetworkNamespace);
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

    private const string Host = "5c0e7a1e0f8b4f0b9d2a6c3e1f4a7b8c";
    private const string Boot = "8a3f1d2e-6b4c-4d5e-9f0a-1b2c3d4e5f60";

    [Fact]
    public void EntityIdStartCgroupAndNamespaceAreTheOnesTheEbpfCatalogDerives()
    {
        using var proc = new FakeProcTree();
        string id = new string('a', 64);
        proc.WriteProcess(4242, "curl", 1, startTime: 123456, uid: 0, "/usr/bin/curl", FakeProcTree.Argv("curl", "-s", "https://example.test"));
        File.WriteAllText(Path.Combine(proc.Root, "4242", "cgroup"), $"12:pids:/\n0::/system.slice/docker-{id}.scope\n");
        Directory.CreateDirectory(Path.Combine(proc.Root, "4242", "ns"));
        File.CreateSymbolicLink(Path.Combine(proc.Root, "4242", "ns", "net"), "net:[4026531999]");
        File.WriteAllText(Path.Combine(proc.Root, "uptime"), "1000.00 1900.00\n");

        ProcessInfo info = new ProcessInfoReader(proc.Root, hostId: Host, bootId: Boot).Read(4242)!;

        Assert.Equal(EntityId.Derive(Host, Boot, 4242, 123456), info.EntityId);
        // Start ticks (1/100 s) after a boot 1000 s ago.
        Assert.InRange(info.Start!.Value, DateTimeOffset.UtcNow.AddSeconds(-1000 + 1234.56 - 2), DateTimeOffset.UtcNow.AddSeconds(-1000 + 1234.56 + 2));
        Assert.Equal(["curl", "-s", "https://example.test"], info.Args);
        Assert.Equal($"/system.slice/docker-{id}.scope", info.CgroupPath);
        Assert.Equal((id, "docker"), (info.Container?.Id, info.Container?.Runtime));
        Assert.Equal(4026531999UL, info.NetworkNamespace);
        Assert.Equal(AttributionSource.Proc, info.IdentifiedBy);
    }

    [Fact]
    public void ArgumentsAreCutAtTheEbpfCapAndMarked()
    {
        using var proc = new FakeProcTree();
        var reader = new ProcessInfoReader(proc.Root, hostId: Host, bootId: Boot);
        string fits = new('x', NsAbi.ArgsLength - "tool".Length - 2);
        proc.WriteProcess(10, "tool", 1, startTime: 1, uid: 0, "/bin/tool", FakeProcTree.Argv("tool", fits)); // exactly the cap
        proc.WriteProcess(11, "tool", 1, startTime: 2, uid: 0, "/bin/tool", FakeProcTree.Argv("tool", fits + "yy")); // one byte past it

        ProcessInfo exact = reader.Read(10)!, over = reader.Read(11)!;

        Assert.False(exact.CommandLineTruncated);
        Assert.Equal(["tool", fits], exact.Args);
        Assert.True(over.CommandLineTruncated);
        // What the kernel path keeps: the first ArgsLength bytes, the last argument cut.
        Assert.Equal(["tool", fits + "y"], over.Args);
        Assert.Equal("tool " + fits + "y", over.CommandLine);
    }

    [Fact]
    public void AncestryIsTheParentChainUpToEightAndStopsAtInit()
    {
        using var proc = new FakeProcTree();
        proc.WriteProcess(1, "init", 0, startTime: 1, uid: 0, "/sbin/init", FakeProcTree.Argv("init"));
        for (int pid = 2; pid <= 12; pid++)
            proc.WriteProcess(pid, $"p{pid}", pid - 1, (ulong)pid, 0, $"/bin/p{pid}", FakeProcTree.Argv($"p{pid}", "--x"));
        var reader = new ProcessInfoReader(proc.Root, hostId: Host, bootId: Boot);

        ProcessInfo deep = reader.Read(12)!, shallow = reader.Read(3)!;

        Assert.Equal(Enumerable.Range(4, 8).Reverse(), deep.Ancestry.Select(a => a.Pid));
        Assert.Equal([2, 1], shallow.Ancestry.Select(a => a.Pid));
        ProcessInfo parent = deep.Ancestry[0];
        Assert.Equal(("p11", "/bin/p11", "p11 --x", 10), (parent.Name, parent.Executable, parent.CommandLine, parent.ParentPid));
        Assert.Equal(EntityId.Derive(Host, Boot, 11, 11), parent.EntityId);
        Assert.Null(parent.Args); // an ancestor is named, its argv is its own line's business
        // One summary per process, shared by every child that names it.
        Assert.Same(deep.Ancestry[1], reader.Read(11)!.Ancestry[0]);
    }

    [Fact]
    public void AParentPidReusedByAYoungerProcessIsNotTheParentAndAnExitedParentStaysNamed()
    {
        using var proc = new FakeProcTree();
        proc.WriteProcess(50, "bash", 1, startTime: 100, uid: 0, "/usr/bin/bash", FakeProcTree.Argv("bash"));
        proc.WriteProcess(60, "curl", 50, startTime: 200, uid: 0, "/usr/bin/curl", FakeProcTree.Argv("curl"));
        proc.WriteProcess(70, "wget", 40, startTime: 300, uid: 0, "/usr/bin/wget", FakeProcTree.Argv("wget"));
        proc.WriteProcess(40, "late", 1, startTime: 400, uid: 0, "/usr/bin/late", FakeProcTree.Argv("late"));
        var reader = new ProcessInfoReader(proc.Root, hostId: Host, bootId: Boot);

        ProcessInfo curl = reader.Read(60)!;
        Directory.Delete(Path.Combine(proc.Root, "50"), recursive: true); // bash exits; curl's line still names it

        Assert.Equal("bash", Assert.Single(curl.Ancestry).Name);
        Assert.Equal("bash", Assert.Single(reader.Read(60)!.Ancestry).Name);
        Assert.Empty(reader.Read(70)!.Ancestry); // pid 40 started after wget: its parent 40 exited and the pid was reused
        Assert.Equal(40, reader.Read(70)!.ParentPid);
    }

    [Fact]
    public void ExecutableDeviceAndInodeAreTheFileTheExeLinkNames()
    {
        using var proc = new FakeProcTree();
        string file = Path.Combine(proc.Root, "real-binary");
        File.WriteAllText(file, "x");
        proc.WriteProcess(9, "bin", 1, startTime: 1, uid: 0, file, FakeProcTree.Argv("bin"));

        ProcessInfo info = new ProcessInfoReader(proc.Root, hostId: Host, bootId: Boot).Read(9)!;

        var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%d %i", file]) { RedirectStandardOutput = true })!;
        Assert.Equal(stat.StandardOutput.ReadToEnd().Trim(), $"{info.ExecutableDevice} {info.ExecutableInode}");
    }
}
