using System.Diagnostics;
using System.Text;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Model;
using NetSentinel.Core.Replay;
using NetSentinel.Core.Tests.Detection;

namespace NetSentinel.Core.Tests.Replay;

/// <summary>Issue 11, case 5: what made replay fail on real logs, each as it was reported.</summary>
public class ReplayRobustnessTests
{
    private static readonly MonitorConfig Config = new() { BaselineSamples = 0 };

    /// <summary>An opened line from the eBPF source: the kernel picks the local port after connect(), so source.port is left out.</summary>
    private static string OpenedWithoutSourcePort(string time = "2026-01-01T12:00:00.000Z", string action = "connection_opened", string transport = "tcp", int id = 1) =>
        $$$"""{"@timestamp":"{{{time}}}","event":{"kind":"event","action":"{{{action}}}"},"process":{"pid":5,"name":"x"},"source":{"ip":"198.51.100.1","bytes":0},"destination":{"ip":"198.51.100.66","port":80,"bytes":0},"network":{"transport":"{{{transport}}}"},"net_sentinel":{"source":"ebpf","attribution":"kernel","connection_id":{{{id}}}}}""";

    private static ConnectionLogReplay Replay(string log, out CollectingSink sink, bool strict = false, MonitorConfig? config = null)
    {
        sink = new CollectingSink();
        var replay = new ConnectionLogReplay(config ?? Config, sink);
        replay.Run(new StringReader(log), "r.jsonl", strict);
        return replay;
    }

    [Fact]
    public void AnOpenedLineWithoutSourcePortIsReplayed()
    {
        var replay = Replay(OpenedWithoutSourcePort() + "\n", out _);

        Assert.Equal(1, replay.EventsReplayed);
        Assert.Equal(0, replay.BadLines);
    }

    [Fact]
    public void AUdpSessionLineIsReadBackAsResumed()
    {
        LoggedLine line = ConnectionLogReader.Read(OpenedWithoutSourcePort(action: "udp_session", transport: "udp"));

        Assert.Equal(ConnectionEventKind.Resumed, line.Event!.Kind);
        Assert.Equal(Transport.Udp, line.Event.Transport);
    }

    [Fact]
    public void ATruncatedLastLineIsSkippedAndTheAlertsBeforeItStillFire()
    {
        string whole = OpenedWithoutSourcePort();
        var replay = Replay(whole + "\n" + whole[..(whole.Length / 2)], out var sink);

        Assert.Equal(1, replay.EventsReplayed);
        Assert.Equal(1, replay.BadLines);
        Assert.Single(sink.Alerts, a => a.Rule == "new_destination");
        Assert.StartsWith("r.jsonl:2: not a JSON line", Assert.Single(replay.Problems));
    }

    [Fact]
    public void StrictStopsAtTheFirstBadLineNamingFileLineAndField()
    {
        string bad = OpenedWithoutSourcePort().Replace("\"198.51.100.66\"", "\"not-an-ip\"", StringComparison.Ordinal);

        var problem = Assert.Throws<ReplayException>(() => Replay(OpenedWithoutSourcePort() + "\n" + bad + "\n" + OpenedWithoutSourcePort() + "\n", out _, strict: true));

        Assert.Equal("r.jsonl:2: destination.ip: not an IP address (got \"not-an-ip\")", problem.Message);
        Assert.Equal(2, problem.Line);
    }

    [Theory]
    [InlineData("\"connection_id\":1", "\"connection_id\":-1", "net_sentinel.connection_id: not an unsigned 64-bit integer (got -1)")]
    [InlineData("\"pid\":5", "\"pid\":\"5\"", "process.pid: must be a number (got string)")]
    [InlineData("\"port\":80", "\"port\":70000", "destination.port: must be an integer from 1 to 65535 (got 70000)")]
    [InlineData("\"network\":{\"transport\":\"tcp\"}", "\"network\":{}", "network.transport: missing")]
    [InlineData("\"kind\":\"event\"", "\"kind\":7", "event.kind: must be a string (got number)")]
    public void EveryErrorNamesItsField(string from, string to, string expected)
    {
        var replay = Replay(OpenedWithoutSourcePort().Replace(from, to, StringComparison.Ordinal) + "\n", out _);

        Assert.Equal("r.jsonl:1: " + expected, Assert.Single(replay.Problems));
    }

    [Fact]
    public void ALineFarInTheFutureCostsConstantTime()
    {
        // Reported: 1971 -> 2026 ran more than 20 s at a 5 s interval (one interval close per 5 s of the gap).
        var watch = Stopwatch.StartNew();
        var replay = Replay(
            OpenedWithoutSourcePort("1971-01-01T00:00:00.000Z", id: 1) + "\n" +
            OpenedWithoutSourcePort("2026-01-01T00:00:00.000Z", id: 2) + "\n" +
            OpenedWithoutSourcePort("8999-12-31T00:00:00.000Z", id: 3) + "\n",
            out _, config: Config with { BaselineSamples = 3, IntervalSeconds = 0.001 });

        Assert.Equal(3, replay.EventsReplayed);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Fact]
    public void AYearTheDetectorsCannotFollowIsABadLine()
    {
        var replay = Replay(OpenedWithoutSourcePort("9999-12-31T23:59:59.999Z") + "\n" + OpenedWithoutSourcePort("0001-01-01T00:00:00.000Z") + "\n", out _);

        Assert.Equal(2, replay.BadLines);
        Assert.StartsWith("r.jsonl:1: @timestamp: 9999-12-31T23:59:59.999Z is outside the years 1970 to 8999", replay.Problems[0]);
    }

    [Fact]
    public void AnEndlessLineIsSkippedInBoundedMemory()
    {
        // /dev/zero is refused as a device by the command; a long run of bytes without a newline in a file
        // is read through a fixed buffer and counted as one bad line.
        using var log = new MemoryStream();
        log.Write(new byte[8 * 1024 * 1024]);
        log.Write(Encoding.UTF8.GetBytes("\n" + OpenedWithoutSourcePort() + "\n"));
        log.Position = 0;
        var replay = new ConnectionLogReplay(Config, new CollectingSink());
        long before = GC.GetAllocatedBytesForCurrentThread();

        replay.Run(log, "z.jsonl", maxLineBytes: 64 * 1024);

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 * 1024 * 1024, "the long line must not be buffered");
        Assert.Equal(1, replay.BadLines);
        Assert.Equal("z.jsonl:1: longer than 64 KiB; not a line net-sentinel writes", Assert.Single(replay.Problems));
        Assert.Equal(1, replay.EventsReplayed);
    }

    [Fact]
    public void LinesOfOtherKindsAndActionsAreIgnoredNotErrors()
    {
        // dns_query/dns_answer lines are read (NamedReplayTests); an action replay does not know is not an error.
        string future = OpenedWithoutSourcePort().Replace("connection_opened", "file_opened", StringComparison.Ordinal);
        string incident = OpenedWithoutSourcePort().Replace("\"kind\":\"event\"", "\"kind\":\"incident\"", StringComparison.Ordinal);

        var replay = Replay(future + "\n" + incident + "\n", out _);

        Assert.Equal(0, replay.BadLines);
        Assert.Equal(0, replay.EventsReplayed);
    }
}
