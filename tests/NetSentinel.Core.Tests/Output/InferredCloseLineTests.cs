using System.Text.Json;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Output;

/// <summary>Issue 11, case 9: a close inferred after a lost close event was marked only by <c>duration: 0</c>.</summary>
public class InferredCloseLineTests
{
    private static readonly EcsJsonFormatter Formatter = new("h");

    [Fact]
    public void AnInferredCloseSaysItIsInferred()
    {
        var closed = SampleRecords.Connection(ConnectionEventKind.Closed) with { CloseInferred = true, Duration = TimeSpan.Zero };

        using JsonDocument line = JsonLine.ParseSingle(Formatter.FormatLine(SampleRecords.ConnectionRecord(closed)));

        Assert.True(line.RootElement.At("net_sentinel.close_inferred").GetBoolean());
    }

    [Fact]
    public void AnObservedCloseCarriesNoInferenceField()
    {
        var closed = SampleRecords.Connection(ConnectionEventKind.Closed);

        using JsonDocument line = JsonLine.ParseSingle(Formatter.FormatLine(SampleRecords.ConnectionRecord(closed)));

        Assert.False(line.RootElement.GetProperty("net_sentinel").TryGetProperty("close_inferred", out _));
    }
}
