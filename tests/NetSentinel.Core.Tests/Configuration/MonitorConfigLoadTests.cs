using System.Text;
using NetSentinel.Core.Configuration;

namespace NetSentinel.Core.Tests.Configuration;

/// <summary>Reading the file itself: every failure is one line naming the path, with no line number.</summary>
public sealed class MonitorConfigLoadTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("net-sentinel-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void LoadsAFileFromDisk()
    {
        string path = Path.Combine(_directory, "ok.toml");
        File.WriteAllText(path, "[log]\nmax_files = 2\n");

        Assert.Equal(new MonitorConfig { LogMaxFiles = 2 }, MonitorConfigFile.Load(path));
    }

    [Fact]
    public void MissingFile()
    {
        var error = Assert.Throws<ConfigException>(() => MonitorConfigFile.Load("x.toml"));

        Assert.Equal("cannot read config file 'x.toml': file not found", error.Message);
        Assert.Equal("x.toml", error.FilePath);
        Assert.Null(error.Line);
    }

    [Fact]
    public void MissingDirectory()
    {
        string path = Path.Combine(_directory, "no-such-dir", "x.toml");

        var error = Assert.Throws<ConfigException>(() => MonitorConfigFile.Load(path));

        Assert.Equal($"cannot read config file '{path}': file not found", error.Message);
    }

    [Fact]
    public void EmptyPath()
    {
        var error = Assert.Throws<ConfigException>(() => MonitorConfigFile.Load(""));

        Assert.Equal("cannot read config file '': not a valid file path", error.Message);
    }

    [Fact]
    public void DirectoryInsteadOfFile()
    {
        var error = Assert.Throws<ConfigException>(() => MonitorConfigFile.Load(_directory));

        Assert.Equal($"cannot read config file '{_directory}': it is a directory, not a regular file", error.Message);
    }

    [Fact]
    public void InvalidUtf8()
    {
        string path = Path.Combine(_directory, "latin1.toml");
        File.WriteAllBytes(path, [.. "[general]\nlog_file = \"caf"u8, 0xE9, .. "\"\n"u8]);

        var error = Assert.Throws<ConfigException>(() => MonitorConfigFile.Load(path));

        Assert.Equal($"cannot read config file '{path}': not UTF-8 text — TOML files must be UTF-8", error.Message);
    }

    [Fact]
    public void OversizedFileIsRefusedWithoutReadingItAll()
    {
        string path = Path.Combine(_directory, "big.toml");
        File.WriteAllText(path, "# " + new string('x', MonitorConfigFile.MaxFileBytes) + "\n", Encoding.UTF8);

        var error = Assert.Throws<ConfigException>(() => MonitorConfigFile.Load(path));

        Assert.Equal($"cannot read config file '{path}': larger than 1 MiB — is this the right file?", error.Message);
    }

    [Fact]
    public void EndlessDeviceIsRefused()
    {
        var error = Assert.Throws<ConfigException>(() => MonitorConfigFile.Load("/dev/zero"));

        Assert.Equal("cannot read config file '/dev/zero': it is a character device, not a regular file", error.Message);
    }

    [Fact]
    public void ProblemsInsideALoadedFileNameItsPath()
    {
        string path = Path.Combine(_directory, "bad.toml");
        File.WriteAllText(path, "[general]\ninterval_seconds = -1\n");

        var error = Assert.Throws<ConfigException>(() => MonitorConfigFile.Load(path));

        Assert.Equal($"{path}:2: general.interval_seconds must be at least 0.05 (got -1)", error.Message);
    }
}
