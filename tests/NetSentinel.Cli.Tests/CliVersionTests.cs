using System.Text.RegularExpressions;

namespace NetSentinel.Cli.Tests;

public sealed partial class CliVersionTests
{
    [Fact]
    public void VersionNamesReleaseCommitAndBpfAbiAndExitsZero()
    {
        string root = RepositoryRoot();
        string version = VersionProperty().Match(File.ReadAllText(Path.Combine(root, "Directory.Build.props"))).Groups[1].Value;
        string abi = AbiDefine().Match(File.ReadAllText(Path.Combine(root, "bpf", "netsentinel.h"))).Groups[1].Value;

        var (code, stdout, stderr) = CliRun.Run("--version");

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Equal(3, version.Split('.').Length); // the props file holds a three-part version
        Assert.Matches($@"^net-sentinel {Regex.Escape(version)} \(commit [0-9a-f]{{7}}, bpf abi {abi}\)\n$", stdout.Replace("\r\n", "\n"));
    }

    [Fact]
    public void VersionCombinedWithAnotherOptionIsAUsageError()
    {
        var (code, stdout, stderr) = CliRun.Run("--version", "--once");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("--version option cannot be combined", stderr);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        for (int depth = 0; dir is not null && depth < 12; depth++, dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Build.props"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no Directory.Build.props above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"<Version>([^<]+)</Version>")]
    private static partial Regex VersionProperty();

    [GeneratedRegex(@"#define\s+NS_ABI_VERSION\s+(\d+)")]
    private static partial Regex AbiDefine();
}
