using System.Text;
using System.Text.Json;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Output;

/// <summary>A process picks its own name and command line: whatever it picks must stay one valid JSON line.</summary>
public class HostileStringTests
{
    private static readonly EcsJsonFormatter Formatter = new("sentinel-test");

    public static TheoryData<string, string> HostileStrings => new()
    {
        { "quote\"and\\backslash", "quote\"and\\backslash" },
        { "line\nbreak\r\nand\rreturn", "line\nbreak\r\nand\rreturn" },
        { "nul\0tab\tesc\u001b[31mred\u007fdel", "nul\0tab\tesc\u001b[31mred\u007fdel" },
        { "unicode separators\u2028\u2029\u0085next", "unicode separators\u2028\u2029\u0085next" },
        { "lone high \uD800 and lone low \uDC00 end", "lone high \uFFFD and lone low \uFFFD end" },
        { "high at end \uD83D", "high at end \uFFFD" },
        { "swapped pair \uDE00\uD83D", "swapped pair \uFFFD\uFFFD" },
        { "replacement \uFFFD stays", "replacement \uFFFD stays" },
        { "café 日本 😀", "café 日本 😀" },
        { "}{\"injected\":true}", "}{\"injected\":true}" },
        { "", "" },
    };

    [Theory]
    [MemberData(nameof(HostileStrings))]
    public void ProcessStringsStayOneValidLine(string hostile, string expected)
    {
        var alert = SampleRecords.HighSendRate() with
        {
            Message = "alert about " + hostile,
            Process = new ProcessInfo
            {
                Pid = 31337,
                Name = hostile,
                Executable = "/tmp/" + hostile,
                CommandLine = hostile + " --arg " + hostile,
                UserName = hostile,
                Uid = 1001,
            },
        };

        using JsonDocument document = JsonLine.ParseSingle(Formatter.FormatLine(alert));
        JsonElement root = document.RootElement;

        Assert.Equal(expected, root.At("process.name").GetString());
        Assert.Equal("/tmp/" + expected, root.At("process.executable").GetString());
        Assert.Equal(expected + " --arg " + expected, root.At("process.command_line").GetString());
        Assert.Equal(expected, root.At("user.name").GetString());
        Assert.Equal("alert about " + expected, root.At("message").GetString());
        Assert.False(root.TryGetProperty("injected", out _));
    }

    [Fact]
    public void HostileNameInAConnectionMessageStaysOneLine()
    {
        var connection = SampleRecords.Connection(ConnectionEventKind.Opened) with
        {
            Process = new ProcessInfo { Pid = 5, Name = "evil\n{\"event\":{\"kind\":\"alert\"}}\r\u2028" },
        };

        using JsonDocument document = JsonLine.ParseSingle(Formatter.FormatLine(SampleRecords.ConnectionRecord(connection)));

        Assert.Equal("event", document.RootElement.At("event.kind").GetString());
        Assert.Equal(
            "connection_opened tcp 198.51.100.1:40312 -> 198.51.100.2:443 by evil\n{\"event\":{\"kind\":\"alert\"}}\r\u2028 (pid 5)",
            document.RootElement.At("message").GetString());
    }

    [Theory]
    [MemberData(nameof(HostileStrings))]
    public void ConnectionLineStringsStayOneValidLine(string hostile, string expected)
    {
        // The connection line is written byte by byte (Utf8Line), not by Utf8JsonWriter: every outside text on it.
        var connection = SampleRecords.Connection(ConnectionEventKind.Closed) with
        {
            Process = new ProcessInfo { Pid = 31337, Name = hostile, UserName = hostile, Uid = 1001 },
            Names = new NetSentinel.Core.Dns.DomainNames(hostile + ".example", [hostile, "b" + hostile]),
        };

        using JsonDocument document = JsonLine.ParseSingle(Formatter.FormatLine(SampleRecords.ConnectionRecord(connection) with { Source = hostile }));
        JsonElement root = document.RootElement;

        Assert.Equal(expected, root.At("process.name").GetString());
        Assert.Equal(expected, root.At("user.name").GetString());
        Assert.Equal(expected, root.At("related.user")[0].GetString());
        Assert.Equal(expected + ".example", root.At("destination.domain").GetString());
        Assert.Equal([expected, "b" + expected], root.At("net_sentinel.domains").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(expected, root.At("net_sentinel.source").GetString());
        Assert.Equal($"connection_closed tcp 198.51.100.1:40312 -> 198.51.100.2:443 by {expected} (pid 31337)", root.At("message").GetString());
        Assert.False(root.TryGetProperty("injected", out _));
    }

    [Fact]
    public void TheConnectionLineEscapesEveryCharacterAsUtf8JsonWriterDoes()
    {
        // Utf8Line copies printable ASCII as it is and asks Utf8JsonWriter for the rest: that must be exactly what the
        // writer (with the formatter's options) does, for every character a line can hold.
        var expected = new System.Buffers.ArrayBufferWriter<byte>();
        for (int c = 0; c < 0x3000; c++)
        {
            string text = c is >= 0xD800 and <= 0xDFFF ? "x\uFFFDy" : $"x{(char)c}y";
            expected.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(expected, EcsJsonFormatter.WriterOptions))
            {
                writer.WriteStringValue(text);
            }
            Assert.Equal(Encoding.UTF8.GetString(expected.WrittenSpan[1..^1]), Encoding.UTF8.GetString(Utf8Line.Escape(text)));
        }
    }

    [Fact]
    public void LineSeparatorsAreEscapedSoNoLineSplitterBreaksTheLine()
    {
        // Some readers (Python's str.splitlines, old JavaScript) also split on U+2028, U+2029 and U+0085.
        var alert = SampleRecords.HighSendRate() with { Process = new ProcessInfo { Pid = 1, Name = "a\u2028b\u2029c\u0085d\u000be\u000cf\u001cg" } };

        string line = Encoding.UTF8.GetString(Formatter.FormatLine(alert));

        Assert.Contains("\"name\":\"a\\u2028b\\u2029c\\u0085d\\u000Be\\ff\\u001Cg\"", line, StringComparison.Ordinal);
        foreach (char separator in "\u2028\u2029\u0085\u000b\u000c\u001c\r")
        {
            Assert.DoesNotContain(separator, line);
        }
    }

    [Fact]
    public void NonAsciiTextStaysReadable()
    {
        var alert = SampleRecords.HighSendRate() with { Process = new ProcessInfo { Pid = 1, Name = "café-日本" } };

        string line = Encoding.UTF8.GetString(Formatter.FormatLine(alert));

        Assert.Contains("\"name\":\"café-日本\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public void LongCommandLineStaysOneLine()
    {
        string commandLine = string.Concat(Enumerable.Repeat("arg\n\"x\" ", 20_000));
        var alert = SampleRecords.HighSendRate() with { Process = SampleRecords.Curl() with { CommandLine = commandLine } };

        byte[] line = Formatter.FormatLine(alert);
        using JsonDocument document = JsonLine.ParseSingle(line);

        // Cut to fit the 64 KiB line bound (escaped, each newline and quote counted as JSON writes it), and marked.
        string written = document.RootElement.At("process.command_line").GetString()!;
        Assert.InRange(written.Length, 10_000, 16 * 1024);
        Assert.StartsWith(written, commandLine, StringComparison.Ordinal);
        Assert.True(document.RootElement.At("net_sentinel.process.command_line_truncated").GetBoolean());
        Assert.InRange(line.Length, 1, (64 * 1024) - 1);
    }
}
