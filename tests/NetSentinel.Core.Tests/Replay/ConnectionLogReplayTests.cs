using System.Text;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;
using NetSentinel.Core.Replay;
using NetSentinel.Core.Tests.Detection;

namespace NetSentinel.Core.Tests.Replay;

public class ConnectionLogReplayTests
{
    private static readonly MonitorConfig Config = new()
    {
        IntervalSeconds = 5,
        BaselineSamples = 1,
        LogConnections = true,
        BytesPerSecThreshold = 1_000_000,
        ExfiltrationBytesThreshold = 20_000_000,
    };

    private static readonly AddressSet Blocked = BlocklistFile.Parse(new StringReader("203.0.113.66\n"), "b.txt");

    /// <summary>A recorded afternoon: learning, then a new destination, a port scan, a beacon, an upload and a blocklisted host.</summary>
    private static List<ConnectionEvent> History(ManualClock clock)
    {
        var events = new List<ConnectionEvent>();
        var who = SyntheticEvents.Process(40, "agent", "/opt/agent") with { ParentPid = 1, Uid = 1000, UserName = "ann", CommandLine = "agent --run" };
        var agent = new SyntheticEvents(clock, who);
        var random = new Random(7);
        void Connection(string remote, int port, long sent, bool failed = false)
        {
            var e = agent.Opened(remote, port);
            events.Add(e);
            clock.Advance(TimeSpan.FromMilliseconds(250));
            long received = failed ? 0 : 1000;
            // The source's last delta rides on the close, as the ledger writes it.
            events.Add(agent.Closed(e, failed, sent) with { BytesReceived = received, UnreportedSent = sent, UnreportedReceived = received });
        }
        Connection("198.51.100.10", 443, 5000);
        clock.Advance(TimeSpan.FromSeconds(6));
        Connection("198.51.101.20", 8443, 1000);       // new destination
        for (int port = 1; port <= 40; port++)
        {
            Connection("198.51.100.99", port, 0, failed: true); // scan
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }
        for (int i = 0; i < 12; i++)
        {
            Connection("198.51.100.77", 9001, 400);       // beacon, 3 s ± 10 %
            // The log keeps milliseconds; so does this history, so both runs see identical times.
            clock.Advance(TimeSpan.FromMilliseconds(2750 + random.Next(0, 600)));
        }
        Connection("198.51.102.5", 443, 30_000_000);    // upload: high_send_rate and exfiltration
        Connection("203.0.113.66", 80, 10);             // blocklisted
        return events;
    }

    [Fact]
    public void ReplayOfARecordedLogGivesTheSameAlertsAsTheLiveRun()
    {
        var clock = new ManualClock();
        var live = new CollectingSink();
        var pipeline = new DetectionPipeline(Config, live, "ebpf", clock, learnBaseline: true, blocklist: Blocked);
        var events = History(new ManualClock());
        var next = events[0].Timestamp + Config.Interval;
        foreach (var e in events)
        {
            while (e.Timestamp >= next)
            {
                clock.Advance(next - clock.Now);
                pipeline.EndInterval(next, 0, null);
                next += Config.Interval;
            }
            clock.Advance(e.Timestamp - clock.Now);
            pipeline.OnEvent(e);
        }
        pipeline.EndInterval(clock.Now, 0, null);
        pipeline.Flush(clock.Now); // as the monitor does at its end: open incidents close with their totals

        var formatter = new EcsJsonFormatter("host");
        var log = new StringBuilder();
        foreach (var record in live.Records)
        {
            log.Append(Encoding.UTF8.GetString(formatter.FormatLine(record)));
        }

        var replayed = new CollectingSink();
        var replay = new ConnectionLogReplay(Config, replayed, Blocked);
        replay.Run(new StringReader(log.ToString()), "live.jsonl");

        static string Describe(AlertRecord a) => $"{a.Timestamp:O} {a.Rule} {a.Value} {a.Process} {a.Message}";
        var expected = live.Alerts.Select(Describe).ToList();
        Assert.Equal(
            ["beacon", "blocklisted_destination", "exfiltration", "high_send_rate", "new_destination", "scan"],
            live.Alerts.Select(a => a.Rule).Distinct().Order());
        Assert.Equal(expected, replayed.Alerts.Select(Describe));
        Assert.Empty(replayed.Records.OfType<ConnectionLogRecord>());
        Assert.Equal(events.Count(e => e.Kind != ConnectionEventKind.Traffic), replay.EventsReplayed);
    }

    [Theory]
    [InlineData("{\"@timestamp\": \"2026-01-01T12:00:00.000Z\"", "r.jsonl:2: ")]
    [InlineData("[1]", "r.jsonl:2: not a JSON object")]
    [InlineData("{\"@timestamp\": \"2026-01-01T12:00:00.000Z\", \"event\": {\"kind\": \"event\", \"action\": \"connection_opened\"}}", "r.jsonl:2: network.transport: missing")]
    [InlineData("{\"@timestamp\": \"yesterday\", \"event\": {\"kind\": \"event\", \"action\": \"x\"}}", "r.jsonl:2: ")]
    public void ABadLineIsOneLineWithItsNumber(string bad, string expectedStart)
    {
        var replay = new ConnectionLogReplay(Config, new CollectingSink());
        var problem = Assert.Throws<ReplayException>(() => replay.Run(new StringReader("\n" + bad + "\n"), "r.jsonl", strict: true));
        Assert.StartsWith(expectedStart, problem.Message);
        Assert.Equal(2, problem.Line);
        Assert.DoesNotContain('\n', problem.Message);
    }
}
