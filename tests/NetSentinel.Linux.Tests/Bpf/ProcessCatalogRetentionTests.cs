using NetSentinel.Core.Model;
using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Bpf.Abi;
using NetSentinel.Linux.Tests.Snapshot;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>How long the catalog remembers an exited process: what is kept, what is dropped, and when.</summary>
public sealed class ProcessCatalogRetentionTests : IDisposable
{
    private const ulong Second = 1_000_000_000;
    private readonly FakeProcTree _proc = new(); // empty: a forgotten process cannot be read back from /proc
    private readonly ProcessCatalog _catalog;

    public ProcessCatalogRetentionTests() => _catalog = new ProcessCatalog(_proc.Root, "host", "boot");

    [Fact]
    public void AnExitedProcessIsRememberedForTheGraceAndForgottenByTheFirstExitPastIt()
    {
        _catalog.OnExec(100, 1, "tool", "/nonexistent/tool", timestampNs: 10 * Second);
        _catalog.OnExit(100, timestampNs: 11 * Second);
        _catalog.OnExit(200, timestampNs: 11 * Second + ProcessCatalog.ExitGraceNs); // not past the grace yet

        Assert.Equal(11 * Second, _catalog.ExitedAt(100));
        Assert.Equal("/nonexistent/tool", Executable(100, 10 * Second + 1)); // a record still in flight names it

        _catalog.OnExit(300, timestampNs: 11 * Second + ProcessCatalog.ExitGraceNs + 1);

        Assert.Null(_catalog.ExitedAt(100));
        Assert.Null(Executable(100, 10 * Second + 1)); // forgotten: only /proc is left, and it has nothing
        Assert.NotNull(_catalog.ExitedAt(200));
        Assert.NotNull(_catalog.ExitedAt(300));
    }

    [Fact]
    public void AReusedPidIsNotForgottenWithTheExitOfTheProcessBefore()
    {
        _catalog.OnExec(100, 1, "old", "/nonexistent/old", timestampNs: 10 * Second);
        _catalog.OnExit(100, timestampNs: 11 * Second);
        _catalog.OnExec(100, 1, "new", "/nonexistent/new", timestampNs: 11 * Second + 5); // the pid, reused
        _catalog.OnExit(100, timestampNs: 11 * Second + ProcessCatalog.ExitGraceNs);     // and exited again

        _catalog.OnExit(300, timestampNs: 11 * Second + ProcessCatalog.ExitGraceNs + 1); // the first exit is past the grace

        Assert.Equal(11 * Second + ProcessCatalog.ExitGraceNs, _catalog.ExitedAt(100));
        Assert.Equal("/nonexistent/new", Executable(100, 11 * Second + 10));
    }

    [Fact]
    public void WithoutLaterExitsAnExitedProcessStillLeavesAtTheIntervalEndAfterNext()
    {
        _catalog.OnExec(100, 1, "tool", "/nonexistent/tool", timestampNs: 10 * Second);
        _catalog.OnExit(100, timestampNs: 11 * Second);

        _catalog.ForgetExited(); // the interval its exit was drained in ends
        Assert.Equal("/nonexistent/tool", Executable(100, 10 * Second + 1));
        _catalog.OnExit(200, timestampNs: 12 * Second); // drained in the next interval: it stays one more
        _catalog.ForgetExited();

        Assert.Null(_catalog.ExitedAt(100));
        Assert.Equal(12 * Second, _catalog.ExitedAt(200));
        _catalog.ForgetExited();
        Assert.Null(_catalog.ExitedAt(200));
    }

    [Fact]
    public void AnExecDrainedAfterItsExitWithinTheGraceIsStillIgnored()
    {
        _catalog.OnExit(100, timestampNs: 11 * Second);
        _catalog.OnExec(100, 1, "late", "/nonexistent/late", timestampNs: 11 * Second - 10); // reserved before the exit, drained after

        Assert.Null(Executable(100, 12 * Second));
    }

    private string? Executable(uint tgid, ulong timestampNs) =>
        _catalog.Describe(new NsTask { Tgid = tgid, Pid = tgid, Ppid = 1 }, timestampNs).Executable;

    public void Dispose() => _proc.Dispose();
}
