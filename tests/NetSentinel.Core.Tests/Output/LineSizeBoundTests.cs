using System.Text.Json;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Output;

/// <summary>
/// A line stays under syslog-ng's default 64 KiB message size whatever a process puts in its texts: escaping counts
/// (a control character is 6 bytes of JSON), not only length.
/// </summary>
public class LineSizeBoundTests
{
    private const int MaxLine = 64 * 1024;
    private static readonly EcsJsonFormatter Formatter = new("sentinel-test");

    [Fact]
    public void SixteenKiBOfControlCharactersInArgvAndTheParentsStayUnder64KiBMarkedTruncated()
    {
        string controls = new('\x01', 16 * 1024);
        string path = "/tmp/" + new string('\x02', 4000);
        ProcessInfo ancestor(int pid) => new() { Pid = pid, Name = new string('\x03', 16), Executable = path, CommandLine = controls };
        var process = new ProcessInfo
        {
            Pid = 4242,
            Name = "tool",
            Executable = path,
            CommandLine = "tool " + controls,
            Args = ["tool", controls],
            Ancestry = [.. Enumerable.Range(100, ProcessInfo.MaxAncestry).Select(ancestor)],
            CgroupPath = "/" + controls,
        };

        foreach (LogRecord record in new LogRecord[]
                 {
                     new ConnectionLogRecord { Timestamp = DateTimeOffset.UnixEpoch, Source = "ebpf", Event = SampleRecords.Connection(ConnectionEventKind.Opened) with { Process = process } },
                     SampleRecords.HighSendRate() with { Process = process },
                 })
        {
            byte[] line = Formatter.FormatLine(record);

            Assert.InRange(line.Length, 32 * 1024, MaxLine - 1); // cut to fit, not dropped
            using JsonDocument document = JsonLine.ParseSingle(line);
            JsonElement root = document.RootElement;
            Assert.True(root.At("net_sentinel.process.command_line_truncated").GetBoolean());
            Assert.StartsWith("tool \x01\x01", root.At("process.command_line").GetString(), StringComparison.Ordinal);
            Assert.Equal("tool", root.At("process.args")[0].GetString());
            Assert.StartsWith("\x01\x01", root.At("process.args")[1].GetString(), StringComparison.Ordinal);
            Assert.Equal(2, root.At("process.args_count").GetInt32());
            Assert.EndsWith("…", root.At("process.parent.command_line").GetString(), StringComparison.Ordinal);
            Assert.Equal(ProcessInfo.MaxAncestry, root.At("net_sentinel.ancestry").GetArrayLength());
        }
    }

    [Fact]
    public void AnExecutablePathCutToFitKeepsItsEndAndIsMarkedTruncated()
    {
        string path = "/" + new string('\x01', 20_000) + "/bin/evil";
        var process = new ProcessInfo { Pid = 7, Name = "evil", Executable = path };

        ProcessInfo fitted = ProcessTextBudget.Fit(process);

        Assert.True(fitted.ExecutableTruncated);
        Assert.StartsWith("…", fitted.Executable, StringComparison.Ordinal);
        Assert.EndsWith("/bin/evil", fitted.Executable, StringComparison.Ordinal);
        Assert.InRange(ProcessTextBudget.EscapedBytes(fitted.Executable), 1, ProcessTextBudget.PathCap);
    }

    [Fact]
    public void AnOrdinaryProcessIsLeftAsItIs()
    {
        var process = new ProcessInfo { Pid = 7, Name = "curl", Executable = "/usr/bin/curl", CommandLine = "curl " + new string('a', 16_000), Args = ["curl", new string('a', 16_000)] };

        Assert.Same(process, ProcessTextBudget.Fit(process));
    }

    [Theory]
    [InlineData("plain /usr/bin/curl -sS https://example.test/")]
    [InlineData("ctl \x01\x02\x1b[31m \n\r\t \" \\ \x7f")]
    [InlineData("café 日本 😀 \u2028\u2029 \u0085")]
    public void TheEscapedSizeCountedIsWhatTheWriterWritesOrMore(string text)
    {
        text = System.Text.RegularExpressions.Regex.Unescape(text);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStringValue(text);
        }

        int written = buffer.WrittenCount - 2; // without the quotes
        int counted = ProcessTextBudget.EscapedBytes(text);
        Assert.InRange(counted, written, written * 2);
        if (text.All(char.IsAscii))
        {
            Assert.Equal(written, counted);
        }
    }

    [Fact]
    public void ACutNeverSplitsASurrogatePair()
    {
        string emoji = string.Concat(Enumerable.Repeat("😀", 20_000));
        var process = new ProcessInfo { Pid = 7, Name = "x", CommandLine = emoji, Args = [emoji] };

        ProcessInfo fitted = ProcessTextBudget.Fit(process);

        Assert.True(fitted.CommandLineTruncated);
        Assert.False(char.IsHighSurrogate(fitted.CommandLine![^1]));
        Assert.InRange(ProcessTextBudget.EscapedBytes(fitted.CommandLine), 1, ProcessTextBudget.CommandLineCap);
    }
}
