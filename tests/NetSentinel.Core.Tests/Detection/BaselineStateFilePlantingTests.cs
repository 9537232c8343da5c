using System.Diagnostics;
using System.Runtime.Versioning;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Core.Tests.Detection;

/// <summary>
/// Issue 11, case 1: the save followed a symbolic link planted at its predictable temporary name and, as root,
/// truncated, overwrote and chmod'ed the link's target. Run as root, as the monitor is.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class BaselineStateFilePlantingTests : IDisposable
{
    private const UnixFileMode Sticky = (UnixFileMode)0b1_111_111_111; // 1777, like /tmp
    private readonly string _dir = Directory.CreateTempSubdirectory("ns-plant-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static LearnedBaseline Learned()
    {
        var baseline = new LearnedBaseline(24, 64);
        baseline.MarkChanged();
        return baseline;
    }

    [RootFact]
    public void ALinkPlantedAtTheOldTemporaryNameLeavesItsRootOwnedTargetUntouched()
    {
        string state = Path.Combine(_dir, "b.json");
        string victim = Path.Combine(_dir, "victim");
        File.WriteAllText(victim, "root's precious file\n");
        File.SetUnixFileMode(victim, (UnixFileMode)0b110_100_100); // 0644
        // Exactly as reported: ln -s <dir>/victim <dir>/.b.json.tmp-<monitor pid>
        File.CreateSymbolicLink(Path.Combine(_dir, $".b.json.tmp-{Environment.ProcessId}"), victim);

        BaselineStateFile.Save(state, Learned());

        Assert.Equal("root's precious file\n", File.ReadAllText(victim));
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(victim));
        Assert.StartsWith("{", File.ReadAllText(state));
        Assert.Null(new FileInfo(state).LinkTarget);
    }

    [RootFact]
    public void ADirectoryAnyoneMayWriteIsRefusedUnlessSticky()
    {
        string shared = Path.Combine(_dir, "shared");
        Directory.CreateDirectory(shared);
        File.SetUnixFileMode(shared, (UnixFileMode)0b111_111_111); // 0777

        var problem = Assert.Throws<BaselineStateException>(() => BaselineStateFile.Save(Path.Combine(shared, "b.json"), Learned()));

        Assert.Equal($"cannot save baseline state file '{shared}/b.json': refusing directory '{shared}': anyone may write it and it is not sticky — use a directory only we can write", problem.Message);
        Assert.Empty(Directory.GetFileSystemEntries(shared));
    }

    [RootFact]
    public void AStickySharedDirectoryIsUsedOnlyWhenTheFileThereIsOurs()
    {
        string shared = Path.Combine(_dir, "tmp");
        Directory.CreateDirectory(shared);
        File.SetUnixFileMode(shared, Sticky);
        string state = Path.Combine(shared, "b.json");

        BaselineStateFile.Save(state, Learned()); // no file yet: ours from now on
        BaselineStateFile.Save(state, Learned()); // ours: replaced

        Chown(65534, state); // now someone else's
        var problem = Assert.Throws<BaselineStateException>(() => BaselineStateFile.Save(state, Learned()));
        Assert.Contains("it is a regular file owned by uid 65534, not our regular file", problem.Message);
    }

    [RootFact]
    public void ADirectoryOwnedBySomeoneElseIsRefused()
    {
        string theirs = Path.Combine(_dir, "theirs");
        Directory.CreateDirectory(theirs);
        Chown(65534, theirs);

        var problem = Assert.Throws<BaselineStateException>(() => BaselineStateFile.Save(Path.Combine(theirs, "b.json"), Learned()));

        Assert.Contains($"refusing directory '{theirs}': it is owned by uid 65534, not by us (uid 0) or root", problem.Message);
    }

    [RootFact]
    public void AFifoAtTheStatePathIsRefusedAtLoadWithoutHanging()
    {
        string state = Path.Combine(_dir, "fifo.json");
        using (var mkfifo = Process.Start("mkfifo", [state]))
        {
            mkfifo.WaitForExit();
        }

        var problem = Assert.Throws<BaselineStateException>(() => BaselineStateFile.Load(state, 24, 64, TimeProvider.System));

        Assert.Equal($"cannot read baseline state file '{state}': it is a FIFO, not a regular file", problem.Message);
    }

    private static void Chown(int uid, string path)
    {
        using var chown = Process.Start("chown", [$"{uid}", path]);
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }
}
