using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Bpf.Abi;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>ProcessCatalog against a fake /proc: what it reads for a live process, and that a vanished one is null, not an exception.</summary>
public sealed class ProcessCatalogTests : IDisposable
{
    private readonly string _proc = Directory.CreateTempSubdirectory("ns-fakeproc-").FullName;

    [Fact]
    public void ReadsTheCommandLineWithNulsAsSpacesAndTheExecutableWithoutDeleted()
    {
        Directory.CreateDirectory(Path.Combine(_proc, "4242"));
        File.WriteAllBytes(Path.Combine(_proc, "4242", "cmdline"), "prog\0--flag\0x y\0\0"u8.ToArray());
        File.CreateSymbolicLink(Path.Combine(_proc, "4242", "exe"), "/opt/app/prog (deleted)");

        var info = new ProcessCatalog(_proc).Describe(Task(4242), timestampNs: 1);

        Assert.Equal(4242, info.Pid);
        Assert.Equal((0L, "root"), (info.Uid, info.UserName)); // the uid captured in the kernel, named through NSS
        Assert.Equal("prog --flag x y", info.CommandLine);
        Assert.Equal("/opt/app/prog", info.Executable);
    }

    [Fact]
    public void ACommandLineLongerThanTheFirstBufferIsReadWhole()
    {
        Directory.CreateDirectory(Path.Combine(_proc, "77"));
        string longArgument = new('a', 10_000);
        File.WriteAllText(Path.Combine(_proc, "77", "cmdline"), $"tool\0{longArgument}\0");

        var info = new ProcessCatalog(_proc).Describe(Task(77), timestampNs: 1);

        Assert.Equal($"tool {longArgument}", info.CommandLine);
        Assert.Null(info.Executable);
    }

    [Fact]
    public void AProcessThatIsAlreadyGoneHasNeitherExecutableNorCommandLine()
    {
        var info = new ProcessCatalog(_proc).Describe(Task(999_999), timestampNs: 1);

        Assert.Equal(999_999, info.Pid);
        Assert.Null(info.CommandLine);
        Assert.Null(info.Executable);
    }

    private static NsTask Task(uint tgid) => new() { Tgid = tgid, Pid = tgid, Ppid = 1, Uid = 0 };

    public void Dispose() => Directory.Delete(_proc, recursive: true);
}
