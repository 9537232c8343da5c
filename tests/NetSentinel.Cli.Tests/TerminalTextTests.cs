using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Cli.Tests;

/// <summary>Issue 11, case 9: the terminal view passed U+202E (right-to-left override) and U+2028 through raw.</summary>
public class TerminalTextTests
{
    [Theory]
    [InlineData("evil\u202Etxt.exe", "evil?txt.exe")]      // right-to-left override
    [InlineData("a\u2028b\u2029c", "a?b?c")]               // line and paragraph separators
    [InlineData("x\u2066y\u2067z\u2068w\u2069", "x?y?z?w?")] // bidi isolates
    [InlineData("l\u200Er\u200Fm\u061C", "l?r?m?")]         // bidi marks
    [InlineData("zero\u200Bwidth\uFEFF", "zero?width?")]
    [InlineData("esc\u001b[31m\u0085", "esc?[31m?")]
    [InlineData("café 日本", "café 日本")]
    public void InvisibleAndReorderingCharactersAreNeutralised(string hostile, string shown)
    {
        Assert.Equal(shown, TerminalText.Safe(hostile));
    }

    [Fact]
    public void AnAlertAboutAProcessWithABidiNameShowsNoRawOverride()
    {
        var output = new StringWriter();
        var sink = new ConsoleRecordSink(output);
        sink.Write(new AlertRecord
        {
            Timestamp = DateTimeOffset.UnixEpoch, Source = "ebpf", Rule = "scan", Severity = Severity.High,
            Message = "invoice\u202Efdp.exe scanned\u2028fake line", Process = new ProcessInfo { Pid = 4, Name = "invoice\u202Efdp.exe" },
            Value = 1, Threshold = 1, Unit = "connections", Window = TimeSpan.FromSeconds(1),
        });

        string text = output.ToString();
        Assert.DoesNotContain('\u202E', text);
        Assert.DoesNotContain('\u2028', text);
        Assert.Contains("invoice?fdp.exe scanned?fake line", text);
    }
}
