using NetSentinel.Core.Identity;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Bpf.Abi;
using NetSentinel.Linux.Tests.Snapshot;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>Identity, ancestry and container from the exec stream and a fake /proc.</summary>
public sealed class ProcessIdentityTests : IDisposable
{
    private const string Host = "5c0e7a1e0f8b4f0b9d2a6c3e1f4a7b8c";
    private const string Boot = "8a3f1d2e-6b4c-4d5e-9f0a-1b2c3d4e5f60";
    private const string ContainerId = "4f1c3e5b2a7d9c0e8f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d0e";
    private readonly FakeProcTree _proc = new();

    [Fact]
    public void AParentThatExitedBeforeTheConnectIsStillNamed()
    {
        _proc.WriteProcess(100, "bash", 1, 5000, 0, "/usr/bin/bash", FakeProcTree.Argv("bash"));
        _proc.WriteProcess(300, "python3", 1, 7000, 0, "/usr/bin/python3.13", FakeProcTree.Argv("python3", "-c", "connect()"));
        File.WriteAllText(Path.Combine(_proc.Root, "300", "cgroup"), $"12:pids:/\n0::/system.slice/docker-{ContainerId}.scope\n");
        Directory.CreateDirectory(Path.Combine(_proc.Root, "300", "ns"));
        File.CreateSymbolicLink(Path.Combine(_proc.Root, "300", "ns", "net"), "net:[4026531999]");
        var catalog = new ProcessCatalog(_proc.Root, Host, Boot);

        // bash (alive) started sh, sh started python3 and exited; python3 was re-parented to init before it connected.
        catalog.OnExec(200, 100, "sh", "/nonexistent/sh", timestampNs: 60_000_000_000);
        catalog.OnExec(300, 200, "python3", "/nonexistent/python3", timestampNs: 70_000_000_000);
        catalog.OnExit(200, timestampNs: 70_500_000_000);
        catalog.ForgetExited();
        catalog.ForgetExited();
        ProcessInfo python = catalog.Describe(new NsTask { Tgid = 300, Pid = 300, Ppid = 1, Uid = 0 }, timestampNs: 71_000_000_000);

        Assert.Equal(["sh", "bash"], python.Ancestry.Take(2).Select(a => a.Name));
        Assert.Equal(200, python.Ancestry[0].Pid);
        Assert.Equal("/nonexistent/sh", python.Ancestry[0].Executable);
        Assert.Equal("/usr/bin/bash", python.Ancestry[1].Executable);
        Assert.Equal(EntityId.Derive(Host, Boot, 300, 7000), python.EntityId);
        Assert.Equal(EntityId.Derive(Host, Boot, 100, 5000), python.Ancestry[1].EntityId);
        // sh was never readable in /proc: its exec time stands in for its start.
        Assert.Equal(EntityId.Derive(Host, Boot, 200, 6000), python.Ancestry[0].EntityId);
        Assert.Equal(ContainerId, python.Container?.Id);
        Assert.Equal("docker", python.Container?.Runtime);
        Assert.Equal(4026531999UL, python.NetworkNamespace);
    }

    [Fact]
    public void AForkedChildGoneBeforeItWasReadIsDatedByTheKernelsStartNotTheRecordsMonotonicTime()
    {
        _proc.WriteProcess(100, "server", 1, 5000, 0, "/usr/sbin/server", FakeProcTree.Argv("server"));
        var catalog = new ProcessCatalog(_proc.Root, Host, Boot);

        // After a 1000 s suspend the monotonic clock (the record's stamp, 60 s) is 1000 s behind the boot-time clock
        // /proc/PID/stat's starttime counts (1060 s = 106,000 ticks). The child never execs and is gone from /proc.
        catalog.OnFork(101, 100, timestampNs: 60_000_000_000, startBoottimeNs: 1_060_000_000_000);
        ProcessInfo child = catalog.Describe(new NsTask { Tgid = 101, Pid = 101, Ppid = 100 }, timestampNs: 61_000_000_000);

        Assert.Equal(EntityId.Derive(Host, Boot, 101, 106_000), child.EntityId);
        Assert.Equal(EntityId.Derive(Host, Boot, 100, 5000), child.Ancestry[0].EntityId);
    }

    [Fact]
    public void AForkedChildWithoutAKernelStartHasNoEntityIdRatherThanAWrongOne()
    {
        var catalog = new ProcessCatalog(_proc.Root, Host, Boot);

        catalog.OnFork(101, 100, timestampNs: 60_000_000_000);
        ProcessInfo child = catalog.Describe(new NsTask { Tgid = 101, Pid = 101, Ppid = 100 }, timestampNs: 61_000_000_000);

        Assert.Null(child.EntityId);
    }

    [Fact]
    public void AncestryStopsAtInitAndAtEightLevels()
    {
        for (int pid = 2; pid <= 12; pid++)
        {
            _proc.WriteProcess(pid, $"p{pid}", pid - 1, (ulong)pid, 0, $"/bin/p{pid}", FakeProcTree.Argv($"p{pid}"));
        }

        _proc.WriteProcess(1, "init", 0, 1, 0, "/sbin/init", FakeProcTree.Argv("init"));
        var catalog = new ProcessCatalog(_proc.Root, Host, Boot);

        ProcessInfo deep = catalog.Describe(new NsTask { Tgid = 12, Pid = 12, Ppid = 11 }, timestampNs: 1);
        ProcessInfo shallow = catalog.Describe(new NsTask { Tgid = 3, Pid = 3, Ppid = 2 }, timestampNs: 1);

        Assert.Equal(Enumerable.Range(4, 8).Reverse(), deep.Ancestry.Select(a => a.Pid));
        Assert.Equal([2, 1], shallow.Ancestry.Select(a => a.Pid));
    }

    public void Dispose() => _proc.Dispose();
}
