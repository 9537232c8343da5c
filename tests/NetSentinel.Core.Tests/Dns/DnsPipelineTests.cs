using System.Net;
using System.Text.Json;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Dns;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;
using NetSentinel.Core.Tests.Detection;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Core.Tests.Dns;

/// <summary>DNS events through the pipeline: names on connections and alerts, DNS lines, and the detectors that use names.</summary>
public class DnsPipelineTests
{
    private static readonly IPEndPoint Server = new(IPAddress.Parse("198.51.100.53"), 53);
    private readonly ProcessInfo _curl = SyntheticEvents.Process(4242, "curl", "/usr/bin/curl");

    private static MonitorConfig Config(bool logConnections = true) =>
        new() { BaselineSamples = 0, LogConnections = logConnections, AlertCooldownSeconds = 0 };

    private static DnsEvent Dns(ManualClock clock, ProcessInfo process, byte[] packet)
    {
        var status = DnsMessageParser.Parse(packet, isPrefix: false, out var message);
        return new DnsEvent
        {
            Timestamp = clock.Now,
            Process = process,
            Transport = Transport.Udp,
            Server = Server,
            Local = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40000),
            Message = status == DnsParseStatus.Parsed ? message : null,
        };
    }

    private static string Line(LogRecord record) => System.Text.Encoding.UTF8.GetString(new EcsJsonFormatter("host").FormatLine(record));

    [Fact]
    public void A_resolved_destination_carries_its_name_on_the_connection_line_and_the_alert()
    {
        var h = new PipelineHarness(Config(), learnBaseline: false);
        var events = new SyntheticEvents(h.Clock, _curl);
        h.Pipeline.OnDns(Dns(h.Clock, _curl, DnsPacketBuilder.Query("www.example.test")));
        h.Pipeline.OnDns(Dns(h.Clock, _curl, DnsPacketBuilder.Response("www.example.test", addresses: [IPAddress.Parse("198.51.100.2")])));
        h.Pipeline.OnEvent(events.Opened("198.51.100.2", 443));

        Assert.Equal(["dns_query", "dns_answer"], h.Sink.Records.OfType<DnsLogRecord>().Select(r => r.Action));
        var answerLine = JsonDocument.Parse(Line(h.Sink.Records.OfType<DnsLogRecord>().Last())).RootElement;
        Assert.Equal("www.example.test", answerLine.GetProperty("dns").GetProperty("question").GetProperty("name").GetString());
        Assert.Equal("198.51.100.2", answerLine.GetProperty("dns").GetProperty("resolved_ip")[0].GetString());
        Assert.Equal("NOERROR", answerLine.GetProperty("dns").GetProperty("response_code").GetString());
        Assert.Equal(4242, answerLine.GetProperty("process").GetProperty("pid").GetInt32());

        var connection = JsonDocument.Parse(Line(h.Sink.Records.OfType<ConnectionLogRecord>().Single())).RootElement;
        Assert.Equal("www.example.test", connection.GetProperty("destination").GetProperty("domain").GetString());
        Assert.Equal("example.test", connection.GetProperty("destination").GetProperty("registered_domain").GetString());
        var alert = JsonDocument.Parse(Line(h.Sink.AlertsFor(NewDestinationDetector.RuleName).Single())).RootElement;
        Assert.Equal("www.example.test", alert.GetProperty("destination").GetProperty("domain").GetString());
        Assert.Contains("www.example.test", alert.GetProperty("message").GetString());
    }

    [Fact]
    public void An_unnamed_destination_has_no_domain_field()
    {
        var h = new PipelineHarness(Config(), learnBaseline: false);
        h.Pipeline.OnEvent(new SyntheticEvents(h.Clock, _curl).Opened("198.51.100.99", 443));
        var line = JsonDocument.Parse(Line(h.Sink.Records.OfType<ConnectionLogRecord>().Single())).RootElement;
        Assert.False(line.GetProperty("destination").TryGetProperty("domain", out _));
    }

    [Fact]
    public void A_malformed_message_is_only_counted()
    {
        var h = new PipelineHarness(Config(), learnBaseline: false);
        h.Pipeline.OnDns(Dns(h.Clock, _curl, [0x12, 0x34, 0x81]));
        Assert.Equal(1, h.Pipeline.DnsMessagesMalformed);
        Assert.Empty(h.Sink.Records);
        Assert.Equal(0, h.Pipeline.Names.Count);
    }

    [Fact]
    public void A_blocklisted_name_alerts_at_query_and_at_connect()
    {
        var blocked = DomainBlocklistFile.Parse(["# bad", "*.evil.test", "exact.test  # one name"], "blocked.txt");
        var h = new PipelineHarness(Config(logConnections: false), learnBaseline: false, blockedDomains: blocked);
        h.Pipeline.OnDns(Dns(h.Clock, _curl, DnsPacketBuilder.Query("c2.evil.test")));
        h.Pipeline.OnDns(Dns(h.Clock, _curl, DnsPacketBuilder.Response("c2.evil.test", addresses: [IPAddress.Parse("198.51.100.66")])));
        h.Pipeline.OnEvent(new SyntheticEvents(h.Clock, _curl).Opened("198.51.100.66", 443));
        h.Pipeline.OnDns(Dns(h.Clock, _curl, DnsPacketBuilder.Query("fine.test")));

        var alerts = h.Sink.AlertsFor(BlocklistDetector.RuleName).ToList();
        Assert.Equal(2, alerts.Count);
        Assert.Equal("c2.evil.test", alerts[0].QueriedName);
        Assert.Contains("*.evil.test", alerts[0].Message);
        Assert.Equal("c2.evil.test", alerts[1].Names!.Domain);
        Assert.Equal(IPAddress.Parse("198.51.100.66"), alerts[1].Remote!.Address);
        var line = JsonDocument.Parse(Line(alerts[0])).RootElement;
        Assert.Equal("c2.evil.test", line.GetProperty("dns").GetProperty("question").GetProperty("name").GetString());
    }

    [Fact]
    public void Many_distinct_names_under_one_domain_raise_dns_tunnel_once_at_the_threshold()
    {
        var h = new PipelineHarness(Config(logConnections: false) with { DnsTunnelDistinctNames = 20, DnsTunnelWindowSeconds = 60 }, learnBaseline: false);
        for (int i = 0; i < 18; i++)
        {
            h.Pipeline.OnDns(Dns(h.Clock, _curl, DnsPacketBuilder.Query($"{i:x8}.t.example.test")));
            h.Pipeline.OnDns(Dns(h.Clock, _curl, DnsPacketBuilder.Query("www.example.test"))); // repeats count once
            h.Clock.AdvanceSeconds(1);
        }
        Assert.Empty(h.Sink.AlertsFor(DnsTunnelDetector.RuleName));
        h.Pipeline.OnDns(Dns(h.Clock, _curl, DnsPacketBuilder.Query("ffff.t.example.test")));
        h.Pipeline.OnDns(Dns(h.Clock, _curl, DnsPacketBuilder.Query("fffe.t.example.test")));
        var alert = Assert.Single(h.Sink.AlertsFor(DnsTunnelDetector.RuleName));
        Assert.Equal((20.0, 20.0, "names"), (alert.Value, alert.Threshold, alert.Unit));
        Assert.Contains("example.test", alert.Message);
    }

    [Fact]
    public void Names_spread_over_a_longer_time_than_the_window_do_not_raise_dns_tunnel()
    {
        var h = new PipelineHarness(Config(logConnections: false) with { DnsTunnelDistinctNames = 10, DnsTunnelWindowSeconds = 10 }, learnBaseline: false);
        for (int i = 0; i < 50; i++)
        {
            h.Pipeline.OnDns(Dns(h.Clock, _curl, DnsPacketBuilder.Query($"n{i}.example.test")));
            h.Clock.AdvanceSeconds(2);
        }
        Assert.Empty(h.Sink.AlertsFor(DnsTunnelDetector.RuleName));
    }

    [Fact]
    public void A_known_program_reaching_a_known_name_on_a_new_address_is_not_a_new_destination()
    {
        var h = new PipelineHarness(Config(logConnections: false) with { BaselineSamples = 1 });
        var events = new SyntheticEvents(h.Clock, _curl);
        h.Pipeline.OnDns(Dns(h.Clock, _curl, DnsPacketBuilder.Response("api.example.test", addresses: [IPAddress.Parse("198.51.100.10")])));
        h.Pipeline.OnEvent(events.Opened("198.51.100.10", 443));
        h.Tick(); // learning ends
        h.Pipeline.OnDns(Dns(h.Clock, _curl, DnsPacketBuilder.Response("cdn.example.test", addresses: [IPAddress.Parse("203.0.113.77")])));
        h.Pipeline.OnEvent(events.Opened("203.0.113.77", 443));
        Assert.Empty(h.Sink.AlertsFor(NewDestinationDetector.RuleName));

        h.Pipeline.OnDns(Dns(h.Clock, _curl, DnsPacketBuilder.Response("other.test", addresses: [IPAddress.Parse("203.0.113.78")])));
        h.Pipeline.OnEvent(events.Opened("203.0.113.78", 443));
        Assert.Equal("other.test", Assert.Single(h.Sink.AlertsFor(NewDestinationDetector.RuleName)).Names!.Domain);
    }

    [Fact]
    public void A_beacon_whose_address_rotates_behind_one_name_is_one_series()
    {
        var h = new PipelineHarness(Config(logConnections: false) with { BeaconMinConnections = 6 }, learnBaseline: false);
        var events = new SyntheticEvents(h.Clock, _curl);
        for (int i = 0; i < 8; i++)
        {
            string address = $"198.51.100.{20 + (i / 2)}"; // a new address every two connections
            h.Pipeline.OnDns(Dns(h.Clock, _curl, DnsPacketBuilder.Response("c2.example.test", ttl: 5, addresses: [IPAddress.Parse(address)])));
            var opened = events.Opened(address, 443);
            h.Pipeline.OnEvent(opened);
            h.Pipeline.OnEvent(events.Closed(opened, sentTotal: 100));
            h.Clock.AdvanceSeconds(30);
        }
        var beacon = h.Sink.AlertsFor(BeaconDetector.RuleName).First();
        Assert.Contains("c2.example.test", beacon.Message);
        Assert.Equal("c2.example.test", beacon.Names!.Domain);
    }
}
