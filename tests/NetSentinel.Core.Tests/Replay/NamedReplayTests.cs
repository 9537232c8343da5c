using System.Net;
using System.Text;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Dns;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;
using NetSentinel.Core.Replay;
using NetSentinel.Core.Tests.Detection;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Core.Tests.Replay;

/// <summary>
/// Replay reads names back: a log the formatter wrote from a run with DNS (queries, answers, named connections)
/// replays to the same domain-keyed alerts, and a DNS line reads back into the message it recorded.
/// </summary>
public class NamedReplayTests
{
    private static readonly MonitorConfig Config = new() { IntervalSeconds = 5, BaselineSamples = 1, LogConnections = true };
    private static readonly DomainBlocklist Blocked = DomainBlocklistFile.Parse(["*.bad.test"], "domains.txt");
    private static readonly IPEndPoint Server = new(IPAddress.Parse("198.51.100.53"), 53);

    private static DnsEvent Dns(DateTimeOffset at, ProcessInfo process, byte[] packet)
    {
        Assert.Equal(DnsParseStatus.Parsed, DnsMessageParser.Parse(packet, isPrefix: false, out var message));
        return new DnsEvent
        {
            Timestamp = at,
            Process = process,
            Transport = Transport.Udp,
            Server = Server,
            Local = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40000),
            Message = message,
        };
    }

    [Fact]
    public void A_replayed_log_gives_the_same_domain_keyed_alerts_as_the_live_run()
    {
        var clock = new ManualClock();
        var live = new CollectingSink();
        var pipeline = new DetectionPipeline(Config, live, "ebpf", clock, learnBaseline: true, blockedDomains: Blocked);
        var agent = new SyntheticEvents(clock, SyntheticEvents.Process(40, "agent", "/opt/agent"));
        var next = clock.Now + Config.Interval;
        void At(TimeSpan by)
        {
            var until = clock.Now + by;
            while (until >= next)
            {
                clock.Advance(next - clock.Now);
                pipeline.EndInterval(next, 0, null);
                next += Config.Interval;
            }
            clock.Advance(until - clock.Now);
        }
        void Resolve(string name, string address)
        {
            pipeline.OnDns(Dns(clock.Now, agent.Owner, DnsPacketBuilder.Query(name)));
            At(TimeSpan.FromMilliseconds(3));
            pipeline.OnDns(Dns(clock.Now, agent.Owner, DnsPacketBuilder.Response(name, ttl: 30, addresses: [IPAddress.Parse(address)])));
            At(TimeSpan.FromMilliseconds(2));
        }
        void Connect(string address, int port)
        {
            var opened = agent.Opened(address, port);
            pipeline.OnEvent(opened);
            At(TimeSpan.FromMilliseconds(200));
            pipeline.OnEvent(agent.Closed(opened));
        }

        Resolve("www.known.test", "198.51.100.10");
        Connect("198.51.100.10", 443);                      // learned, with its domain
        At(TimeSpan.FromSeconds(6));
        Resolve("cdn9.known.test", "198.18.5.5");
        Connect("198.18.5.5", 443);                         // a new address block of a known domain: not new
        var random = new Random(3);
        for (int i = 0; i < 12; i++)
        {
            Resolve("beacon.web.test", $"198.18.{i / 3 + 1}.9"); // the address rotates every 3 connections
            Connect($"198.18.{i / 3 + 1}.9", 8443);
            At(TimeSpan.FromMilliseconds(2750 + random.Next(0, 600)));
        }
        Resolve("c2.bad.test", "198.18.9.9");               // blocklisted at query and at connect time
        Connect("198.18.9.9", 443);
        pipeline.EndInterval(clock.Now, 0, null);
        pipeline.Flush(clock.Now);

        var formatter = new EcsJsonFormatter("host");
        var log = new StringBuilder();
        foreach (var record in live.Records)
        {
            log.Append(Encoding.UTF8.GetString(formatter.FormatLine(record)));
        }
        var replayed = new CollectingSink();
        var replay = new ConnectionLogReplay(Config, replayed, blockedDomains: Blocked);
        replay.Run(new StringReader(log.ToString()), "live.jsonl", strict: true);

        static string Describe(AlertRecord a) => $"{a.Timestamp:O} {a.Rule} {a.Value} {a.Process} {a.Names?.Domain} {a.QueriedName} {a.Message}";
        Assert.Equal(["beacon", "blocklisted_destination", "new_destination"], live.Alerts.Select(a => a.Rule).Distinct().Order());
        Assert.Single(live.Alerts, a => a.Rule == "beacon" && a.Names?.Domain == "beacon.web.test" && a.Incident?.Phase == IncidentPhase.Opened);
        Assert.Contains(live.Alerts, a => a.Rule == "blocklisted_destination" && a.QueriedName == "c2.bad.test");
        Assert.Contains(live.Alerts, a => a.Rule == "blocklisted_destination" && a.Names?.Domain == "c2.bad.test");
        Assert.DoesNotContain(live.Alerts, a => a.Rule == "new_destination" && a.Names?.Domain == "cdn9.known.test");
        Assert.Equal(live.Alerts.Select(Describe), replayed.Alerts.Select(Describe));
        Assert.Equal(live.Records.OfType<DnsLogRecord>().Count(), replay.DnsMessagesReplayed);
    }

    [Fact]
    public void A_dns_answer_line_reads_back_into_the_message_it_recorded()
    {
        var message = new DnsMessage
        {
            Id = 0x4242,
            IsResponse = true,
            ResponseCode = 0,
            QuestionName = "www.example.test",
            QuestionType = DnsRecordType.Aaaa,
            Answers =
            [
                new DnsAnswer("www.example.test", DnsRecordType.Cname, 60, null, "edge.cdn.test"),
                new DnsAnswer("edge.cdn.test", DnsRecordType.Aaaa, 30, IPAddress.Parse("2001:db8::7"), null),
                new DnsAnswer("edge.cdn.test", DnsRecordType.A, 30, IPAddress.Parse("198.51.100.7"), null),
            ],
            Complete = false,
        };
        var written = Dns(ManualClock.Start, SyntheticEvents.Process(7, "curl", "/usr/bin/curl"), DnsPacketBuilder.Query("x.test")) with { Message = message };
        string line = Encoding.UTF8.GetString(new EcsJsonFormatter("host").FormatLine(
            new DnsLogRecord { Timestamp = ManualClock.Start, Source = "ebpf", Event = written, Message = message }));

        var read = ConnectionLogReader.Read(line.TrimEnd('\n')).Dns!;

        Assert.Equal((0x4242, true, 0, "www.example.test", DnsRecordType.Aaaa, false),
            (read.Message!.Id, read.Message.IsResponse, read.Message.ResponseCode, read.Message.QuestionName, read.Message.QuestionType, read.Message.Complete));
        Assert.Equal(message.Answers, read.Message.Answers);
        Assert.Equal((7, "curl", "/usr/bin/curl"), (read.Process.Pid, read.Process.Name, read.Process.Executable));
        Assert.Equal((Server, Transport.Udp), (read.Server, read.Transport));
    }

    [Theory]
    [InlineData("\"dns\": {\"type\": \"answer\", \"id\": \"1\", \"question\": {\"name\": \"a.test\", \"type\": \"A\"}, \"response_code\": \"NOERROR\", \"answers\": [{\"name\": \"a.test\", \"type\": \"A\", \"ttl\": 5, \"data\": \"2001:db8::1\"}]}",
        "dns.answers: answer 1: data: not an A address (got \"2001:db8::1\")")]
    [InlineData("\"dns\": {\"type\": \"answer\", \"id\": \"1\", \"question\": {\"name\": \"a.test\", \"type\": \"A\"}, \"response_code\": \"MAYBE\", \"answers\": []}",
        "dns.response_code: not a response code (got \"MAYBE\")")]
    [InlineData("\"dns\": {\"type\": \"query\", \"id\": \"70000\", \"question\": {\"name\": \"a.test\", \"type\": \"A\"}}",
        "dns.id: must be a number from 0 to 65535 in a string (got \"70000\")")]
    [InlineData("\"dns\": {\"type\": \"query\", \"id\": \"1\", \"question\": {\"name\": \"a.test\", \"type\": \"BOGUS\"}}",
        "dns.question.type: not a record type (got \"BOGUS\")")]
    public void A_bad_dns_line_names_its_field(string dns, string problem)
    {
        bool answer = dns.Contains("\"answer\"", StringComparison.Ordinal);
        string line = $"{{\"@timestamp\": \"2026-01-01T12:00:00.000Z\", \"event\": {{\"kind\": \"event\", \"action\": \"{(answer ? "dns_answer" : "dns_query")}\"}}, {dns}}}";
        var error = Assert.Throws<LogLineException>(() => ConnectionLogReader.Read(line));
        Assert.Equal(problem, error.Message);
    }
}
