using System.Diagnostics;
using System.Runtime.Versioning;
using NetSentinel.Core.Output;
using NetSentinel.Core.Output.Files;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Core.Tests.Output;

/// <summary>Issue 16: <c>[log] mode</c> and <c>group</c>, so a shipper in a group (not root) can read the log.</summary>
[SupportedOSPlatform("linux")]
public sealed class LogFilePermissionsTests : IDisposable
{
    private const int GroupReadable = 0b110_100_000; // 0640
    private static readonly EcsJsonFormatter Formatter = SampleRecords.SteadyFormatter();
    private readonly TemporaryDirectory _directory = new();
    private string? _group;

    public void Dispose()
    {
        _directory.Dispose();
        if (_group is not null)
        {
            Run("groupdel", _group);
        }
    }

    private static AlertRecord Numbered(int n) => SampleRecords.HighSendRate() with { Process = SampleRecords.Curl() with { Pid = 10_000 + n } };

    private static int ModeOf(string path) => (int)File.GetUnixFileMode(path);

    [Theory]
    [InlineData("0600", 0b110_000_000)]
    [InlineData("0640", 0b110_100_000)]
    [InlineData("0644", 0b110_100_100)]
    [InlineData("640", 0b110_100_000)]
    public void ModesALogMayHaveAreRead(string text, int expected)
    {
        Assert.Equal(expected, LogFilePermissions.ParseMode(text));
        Assert.Null(LogFilePermissions.CheckMode(text));
        Assert.Equal(text.PadLeft(4, '0'), LogFilePermissions.FormatMode(expected));
    }

    [Theory]
    [InlineData("0660")] // group may write: could alter the record
    [InlineData("0666")]
    [InlineData("0755")] // execute
    [InlineData("0400")] // the owner (the monitor) must write
    [InlineData("4640")] // setuid
    [InlineData("2640")] // setgid
    [InlineData("0840")] // not octal
    [InlineData("rw-r-----")]
    [InlineData("0o640")]
    [InlineData("06400")]
    [InlineData("64")]
    [InlineData("")]
    public void OtherModesAreRefused(string text)
    {
        Assert.Null(LogFilePermissions.ParseMode(text));
        Assert.StartsWith("must be an octal mode in which the owner reads and writes", LogFilePermissions.CheckMode(text), StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingGroupIsNamedWithWhatToDo()
    {
        Assert.Equal("names a group that does not exist on this machine — create it (groupadd --system ns-no-such-group) or leave [log] group out",
            LogFilePermissions.CheckGroup("ns-no-such-group"));
        Assert.Null(LogFilePermissions.CheckGroup(""));
        Assert.Null(LogFilePermissions.CheckGroup("root"));
        var error = Assert.Throws<LogFileException>(() => LogFilePermissions.Resolve("x.jsonl", GroupReadable, "ns-no-such-group"));
        Assert.Equal("refusing to write log 'x.jsonl': [log] group 'ns-no-such-group' does not exist on this machine — create it or leave [log] group out", error.Message);
    }

    [Fact]
    public void TheLogAndEveryRotatedFileGetExactlyTheMode()
    {
        string path = _directory.File("events.jsonl");
        int line = Formatter.FormatLine(Numbered(0)).Length;
        var permissions = new LogFilePermissions(GroupReadable, string.Empty, null);

        // open(2) creates the file 0600 at most; without the explicit fchmod every file here would stay 0600.
        using (var sink = new JsonlFileSink(path, Formatter, maxBytes: line, maxFiles: 3, permissions: permissions))
        {
            Assert.Equal(GroupReadable, ModeOf(path));
            for (int n = 0; n < 4; n++)
            {
                sink.Write(Numbered(n));
            }
            Assert.Equal(3, sink.Rotations);
        }

        foreach (string file in new[] { path, path + ".1", path + ".2", path + ".3" })
        {
            Assert.Equal(GroupReadable, ModeOf(file));
        }
    }

    [Fact]
    public void AnExistingLogIsBroughtToTheConfiguredModeNotLeftWider()
    {
        string path = _directory.File("events.jsonl");
        File.WriteAllText(path, "{\"earlier\":1}\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b110_110_110); // 0666: anyone could rewrite the record

        using (var sink = new JsonlFileSink(path, Formatter, permissions: new LogFilePermissions(GroupReadable, string.Empty, null)))
        {
            sink.Write(Numbered(1));
        }

        Assert.Equal(GroupReadable, ModeOf(path));
        Assert.Equal(2, File.ReadAllLines(path).Length);
    }

    [Fact]
    public void ASymbolicLinkIsStillRefusedAndItsTargetKeepsItsMode()
    {
        string target = _directory.File("precious");
        File.WriteAllText(target, "do not touch\n");
        File.SetUnixFileMode(target, (UnixFileMode)0b110_000_000);
        string path = _directory.File("events.jsonl");
        File.CreateSymbolicLink(path, target);

        Assert.Throws<LogFileException>(() => new JsonlFileSink(path, Formatter, permissions: new LogFilePermissions(0b110_100_100, string.Empty, null)));

        Assert.Equal(0b110_000_000, ModeOf(target));
        Assert.Equal("do not touch\n", File.ReadAllText(target));
    }

    [RootFact]
    public void AsRootTheLogAndEveryRotatedFileGetARealGroup()
    {
        _group = "ns-readers-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Run("groupadd", "--system", _group);
        uint gid = UnixGroup.Find(_group) ?? throw new InvalidOperationException("groupadd made no group");
        string path = _directory.File("events.jsonl");
        int line = Formatter.FormatLine(Numbered(0)).Length;
        LogFilePermissions permissions = LogFilePermissions.Resolve(path, GroupReadable, _group);
        Assert.Equal(gid, permissions.GroupId);

        using (var sink = new JsonlFileSink(path, Formatter, maxBytes: line, maxFiles: 2, permissions: permissions))
        {
            for (int n = 0; n < 3; n++)
            {
                sink.Write(Numbered(n));
            }
        }

        foreach (string file in new[] { path, path + ".1", path + ".2" })
        {
            Assert.True(FileStatus.TryOfPath(file, out FileStatus status, out _));
            Assert.Equal(gid, status.GroupId);
            Assert.Equal(0u, status.OwnerUid);
            Assert.Equal(GroupReadable, status.Permissions);
        }

        // A member of the group who is not root reads it: what a shipper running as its own user does.
        File.SetUnixFileMode(_directory.Path, (UnixFileMode)0b111_101_101);
        string reader = Output("setpriv", "--reuid=65534", $"--regid={gid}", "--clear-groups", "head", "-c", "1", path);
        Assert.Equal("{", reader);
    }

    private static void Run(string file, params string[] args)
    {
        using var process = Process.Start(file, args);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    private static string Output(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} failed: {error}");
        return output;
    }
}
