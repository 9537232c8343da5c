using System.Net;
using System.Text;
using System.Text.Json;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Identity;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Output;

public class EcsJsonFormatterTests
{
    private static readonly EcsJsonFormatter Formatter = SampleRecords.Formatter();

    /// <summary>A fresh formatter per golden line, so its event.id is always test-1.</summary>
    private static string Format(LogRecord record) => Encoding.UTF8.GetString(SampleRecords.Formatter().FormatLine(record));

    [Fact]
    public void FullAlertIsWrittenExactly()
    {
        const string expected =
            """{"@timestamp":"2025-03-14T13:09:26.535Z","message":"curl (pid 4242) sent 7500000 bytes/s, above 5000000 bytes/s over 5 s","log":{"level":"warning"},"ecs":{"version":"8.11.0"},"agent":{"name":"net-sentinel","type":"net-sentinel","version":"0.2.0"},"event":{"kind":"alert","id":"test-1","action":"high_send_rate","category":["network"],"type":["info"],"severity":3,"risk_score":73.0,"reason":"curl (pid 4242) sent 7500000 bytes/s, above 5000000 bytes/s over 5 s","created":"2025-03-14T13:09:26.575Z","module":"net_sentinel","dataset":"net_sentinel.alert"},"rule":{"name":"high_send_rate","id":"NS-0001","ruleset":"net_sentinel","category":"volume","description":"A process sent more bytes per second than the threshold over one interval.","reference":"docs/detectors.md#high_send_rate"},"threat":{"framework":"MITRE ATT&CK","tactic":{"id":["TA0010","TA0040"],"name":["Exfiltration","Impact"],"reference":["https://attack.mitre.org/tactics/TA0010/","https://attack.mitre.org/tactics/TA0040/"]},"technique":{"id":["T1041","T1498"],"name":["Exfiltration Over C2 Channel","Network Denial of Service"],"reference":["https://attack.mitre.org/techniques/T1041/","https://attack.mitre.org/techniques/T1498/"]}},"process":{"pid":4242,"name":"curl","executable":"/usr/bin/curl","command_line":"curl -T big.tar https://198.51.100.2/upload","parent":{"pid":4100}},"user":{"id":"1000","name":"alice"},"host":{"name":"sentinel-test"},"related":{"user":["alice"]},"net_sentinel":{"schema_version":2,"source":"poll","attribution":"proc","value":7500000.0,"threshold":5000000.0,"unit":"bytes_per_second","window_seconds":5.0,"events_lost_in_window":0,"baseline":{"samples_seen":3,"samples_required":3,"mature":true},"host":{"bytes_sent_per_second":7612345.5}}}"""
            + "\n";

        Assert.Equal(expected, Format(SampleRecords.HighSendRate()));
    }

    [Fact]
    public void AlertAboutADestinationCarriesItAndTheNetworkFields()
    {
        var alert = SampleRecords.HighSendRate() with
        {
            Rule = "new_destination",
            Severity = Severity.Medium,
            Message = "curl contacted a new destination 198.51.100.2:443/tcp",
            Value = 1,
            Threshold = 0,
            Unit = "destination",
            Transport = Transport.Tcp,
            Remote = new IPEndPoint(IPAddress.Parse("::ffff:198.51.100.2"), 443),
            HostBytesSentPerSecond = null,
            BaselineSamplesSeen = 5,
        };

        const string expected =
            """{"@timestamp":"2025-03-14T13:09:26.535Z","message":"curl contacted a new destination 198.51.100.2:443/tcp","log":{"level":"warning"},"ecs":{"version":"8.11.0"},"agent":{"name":"net-sentinel","type":"net-sentinel","version":"0.2.0"},"event":{"kind":"alert","id":"test-1","action":"new_destination","category":["network"],"type":["info"],"severity":2,"risk_score":47.0,"reason":"curl contacted a new destination 198.51.100.2:443/tcp","created":"2025-03-14T13:09:26.575Z","module":"net_sentinel","dataset":"net_sentinel.alert"},"rule":{"name":"new_destination","id":"NS-0003","ruleset":"net_sentinel","category":"novelty","description":"A program reached an address block, port and transport outside its learned baseline.","reference":"docs/detectors.md#new_destination"},"threat":{"framework":"MITRE ATT&CK","tactic":{"id":["TA0011"],"name":["Command and Control"],"reference":["https://attack.mitre.org/tactics/TA0011/"]},"technique":{"id":["T1071"],"name":["Application Layer Protocol"],"reference":["https://attack.mitre.org/techniques/T1071/"]}},"process":{"pid":4242,"name":"curl","executable":"/usr/bin/curl","command_line":"curl -T big.tar https://198.51.100.2/upload","parent":{"pid":4100}},"user":{"id":"1000","name":"alice"},"destination":{"ip":"198.51.100.2","port":443},"network":{"transport":"tcp","iana_number":"6","type":"ipv4","direction":"egress"},"host":{"name":"sentinel-test"},"related":{"ip":["198.51.100.2"],"user":["alice"]},"net_sentinel":{"schema_version":2,"source":"poll","attribution":"proc","value":1.0,"threshold":0.0,"unit":"destination","window_seconds":5.0,"events_lost_in_window":0,"baseline":{"samples_seen":5,"samples_required":3,"mature":true}}}"""
            + "\n";

        Assert.Equal(expected, Format(alert));
    }

    [Fact]
    public void ClosedConnectionIsWrittenExactly()
    {
        var record = SampleRecords.ConnectionRecord(SampleRecords.Connection(ConnectionEventKind.Closed));

        const string expected =
            """{"@timestamp":"2025-03-14T13:09:26.535Z","message":"connection_closed tcp 198.51.100.1:40312 -> 198.51.100.2:443 by curl (pid 4242)","log":{"level":"info"},"ecs":{"version":"8.11.0"},"agent":{"name":"net-sentinel","type":"net-sentinel","version":"0.2.0"},"event":{"kind":"event","id":"test-1","action":"connection_closed","category":["network"],"type":["connection","end"],"outcome":"success","duration":1500250000,"start":"2025-03-14T13:09:25.034Z","end":"2025-03-14T13:09:26.535Z","created":"2025-03-14T13:09:26.575Z","module":"net_sentinel","dataset":"net_sentinel.connection"},"process":{"pid":4242,"name":"curl","executable":"/usr/bin/curl","command_line":"curl -T big.tar https://198.51.100.2/upload","parent":{"pid":4100}},"user":{"id":"1000","name":"alice"},"source":{"ip":"198.51.100.1","port":40312,"bytes":1048576},"destination":{"ip":"198.51.100.2","port":443,"bytes":5120},"network":{"transport":"tcp","iana_number":"6","type":"ipv4","direction":"egress","bytes":1053696,"community_id":"1:CmcktecfptQXsWMKsEyQTklpzhg="},"host":{"name":"sentinel-test"},"related":{"ip":["198.51.100.1","198.51.100.2"],"user":["alice"]},"net_sentinel":{"schema_version":2,"source":"ebpf","attribution":"kernel","connection_id":77,"failed":false}}"""
            + "\n";

        Assert.Equal(expected, Format(record));
    }

    [Fact]
    public void EventsLostIsWrittenExactly()
    {
        const string expected =
            """{"@timestamp":"2025-03-14T13:09:26.535Z","message":"12 events lost by the ebpf source (40 since start)","log":{"level":"warning"},"ecs":{"version":"8.11.0"},"agent":{"name":"net-sentinel","type":"net-sentinel","version":"0.2.0"},"event":{"kind":"metric","id":"test-1","action":"events_lost","created":"2025-03-14T13:09:26.575Z","module":"net_sentinel","dataset":"net_sentinel.events_lost"},"host":{"name":"sentinel-test"},"net_sentinel":{"schema_version":2,"source":"ebpf","lost":12,"total_lost":40}}"""
            + "\n";

        Assert.Equal(expected, Format(SampleRecords.EventsLost()));
    }

    [Theory]
    [InlineData(ConnectionEventKind.Opened, Transport.Tcp, false, "connection_opened", new[] { "connection", "start" })]
    [InlineData(ConnectionEventKind.Opened, Transport.Udp, false, "udp_flow", new[] { "connection", "start" })]
    [InlineData(ConnectionEventKind.Closed, Transport.Tcp, true, "connection_failed", new[] { "connection", "end" })]
    [InlineData(ConnectionEventKind.Closed, Transport.Tcp, false, "connection_closed", new[] { "connection", "end" })]
    [InlineData(ConnectionEventKind.Traffic, Transport.Tcp, false, "connection_traffic", new[] { "connection", "info" })]
    public void ConnectionActionsAndTypes(ConnectionEventKind kind, Transport transport, bool failed, string action, string[] types)
    {
        var record = SampleRecords.ConnectionRecord(SampleRecords.Connection(kind, transport, failed));
        using JsonDocument document = JsonLine.ParseSingle(Formatter.FormatLine(record));
        JsonElement root = document.RootElement;

        Assert.Equal("event", root.At("event.kind").GetString());
        Assert.Equal(action, root.At("event.action").GetString());
        Assert.Equal(types, root.At("event.type").EnumerateArray().Select(t => t.GetString()).ToArray());
        Assert.Equal(transport == Transport.Udp ? "udp" : "tcp", root.At("network.transport").GetString());
        // duration and failed describe an ended connection only.
        Assert.Equal(kind == ConnectionEventKind.Closed, root.Has("event.duration"));
        Assert.Equal(kind == ConnectionEventKind.Closed, root.Has("net_sentinel.failed"));
        if (kind == ConnectionEventKind.Closed)
        {
            Assert.Equal(failed, root.At("net_sentinel.failed").GetBoolean());
            Assert.Equal(failed ? "failure" : "success", root.At("event.outcome").GetString());
            // start + duration = end, the close's kernel time
            Assert.Equal("2025-03-14T13:09:25.034Z", root.At("event.start").GetString());
            Assert.Equal("2025-03-14T13:09:26.535Z", root.At("event.end").GetString());
        }
    }

    [Theory]
    [InlineData("::ffff:198.51.100.2", "198.51.100.2", "ipv4")]
    [InlineData("198.51.100.2", "198.51.100.2", "ipv4")]
    [InlineData("2001:db8::2", "2001:db8::2", "ipv6")]
    [InlineData("fe80::1%2", "fe80::1", "ipv6")]
    public void AddressesAreWrittenInTheirPlainForm(string address, string written, string networkType)
    {
        var connection = SampleRecords.Connection(ConnectionEventKind.Opened) with
        {
            Local = new IPEndPoint(IPAddress.Parse("::ffff:198.51.100.1"), 40312),
            Remote = new IPEndPoint(IPAddress.Parse(address), 443),
        };

        using JsonDocument document = JsonLine.ParseSingle(Formatter.FormatLine(SampleRecords.ConnectionRecord(connection)));
        JsonElement root = document.RootElement;

        Assert.Equal(written, root.At("destination.ip").GetString());
        Assert.Equal(443, root.At("destination.port").GetInt32());
        Assert.Equal("198.51.100.1", root.At("source.ip").GetString());
        Assert.Equal(networkType, root.At("network.type").GetString());
        Assert.Contains($" -> {(networkType == "ipv6" ? $"[{written}]" : written)}:443 ", root.At("message").GetString());
    }

    [Fact]
    public void UnknownFieldsAreLeftOutNotWrittenAsNull()
    {
        var alert = SampleRecords.HighSendRate() with
        {
            Process = new ProcessInfo { Pid = 99, Name = "x" },
            HostBytesSentPerSecond = null,
            Value = double.NaN,
        };

        string line = Format(alert);
        using JsonDocument document = JsonLine.ParseSingle(Encoding.UTF8.GetBytes(line));
        JsonElement root = document.RootElement;

        Assert.DoesNotContain("null", line, StringComparison.Ordinal);
        Assert.False(root.Has("process.executable"));
        Assert.False(root.Has("process.command_line"));
        Assert.False(root.Has("process.parent"));
        Assert.False(root.Has("user"));
        Assert.False(root.Has("source"));
        Assert.False(root.Has("destination"));
        Assert.False(root.Has("network"));
        Assert.False(root.Has("net_sentinel.host"));
        Assert.False(root.Has("net_sentinel.value"));
        Assert.Equal("unknown", root.At("net_sentinel.attribution").GetString());
        Assert.Equal(99, root.At("process.pid").GetInt32());
    }

    [Fact]
    public void AnUnseenOwnerLeavesOutProcessAndUser()
    {
        var connection = SampleRecords.Connection(ConnectionEventKind.Opened) with { Process = ProcessInfo.Unknown };

        using JsonDocument document = JsonLine.ParseSingle(Formatter.FormatLine(SampleRecords.ConnectionRecord(connection)));

        Assert.False(document.RootElement.Has("process"));
        Assert.False(document.RootElement.Has("user"));
        Assert.Equal("unknown", document.RootElement.At("net_sentinel.attribution").GetString());
    }

    [Fact]
    public void UserIdWithoutNameIsWrittenAlone()
    {
        var alert = SampleRecords.HighSendRate() with { Process = SampleRecords.Curl() with { UserName = null, Uid = 0 } };

        using JsonDocument document = JsonLine.ParseSingle(Formatter.FormatLine(alert));

        Assert.Equal("0", document.RootElement.At("user.id").GetString());
        Assert.False(document.RootElement.Has("user.name"));
    }

    [Fact]
    public void TimestampIsUtcWithMilliseconds()
    {
        var alert = SampleRecords.HighSendRate() with { Timestamp = new DateTimeOffset(2024, 12, 31, 23, 59, 59, 7, TimeSpan.FromHours(-5)) };

        using JsonDocument document = JsonLine.ParseSingle(Formatter.FormatLine(alert));

        Assert.Equal("2025-01-01T04:59:59.007Z", document.RootElement.At("@timestamp").GetString());
    }

    [Theory]
    [InlineData(Severity.Low, 1, "21.0")]
    [InlineData(Severity.Critical, 4, "99.0")]
    public void SeverityIsWrittenAsNumberAndRiskScoreAndLogLevelIsALogLevel(Severity severity, int number, string riskScore)
    {
        using JsonDocument document = JsonLine.ParseSingle(Formatter.FormatLine(SampleRecords.HighSendRate() with { Severity = severity }));

        Assert.Equal(number, document.RootElement.At("event.severity").GetInt32());
        Assert.Equal(riskScore, document.RootElement.At("event.risk_score").GetRawText());
        Assert.Equal("warning", document.RootElement.At("log.level").GetString());
    }

    [Fact]
    public void HostDefaultsToThisMachine()
    {
        var formatter = new EcsJsonFormatter();
        Assert.Equal(Environment.MachineName, formatter.HostName);
        if (File.Exists("/etc/machine-id"))
        {
            using JsonDocument document = JsonLine.ParseSingle(formatter.FormatLine(SampleRecords.EventsLost()));
            Assert.Equal(File.ReadAllText("/etc/machine-id").Trim(), document.RootElement.At("host.id").GetString());
            Assert.Equal("linux", document.RootElement.At("host.os.type").GetString());
        }
    }

    [Theory]
    [InlineData(7_500_000.0, "7500000.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(0.925, "0.925")]
    [InlineData(1e21, "1E+21")]
    public void FractionalFiguresAreAlwaysWrittenAsFloats(double value, string written)
    {
        var alert = SampleRecords.HighSendRate() with { Value = value, Threshold = value, Window = TimeSpan.FromSeconds(value > 1e9 ? 1 : value), PeriodSeconds = value };

        using JsonDocument document = JsonLine.ParseSingle(Formatter.FormatLine(alert));
        JsonElement root = document.RootElement;

        Assert.Equal(written, root.At("net_sentinel.value").GetRawText());
        Assert.Equal(written, root.At("net_sentinel.threshold").GetRawText());
        Assert.Equal(written, root.At("net_sentinel.period_seconds").GetRawText());
        Assert.Contains('.', root.At("net_sentinel.window_seconds").GetRawText());
    }

    [Fact]
    public void ConnectionLinesCarryTheCommunityIdOnceBothPortsAreKnown()
    {
        // The spec's UDP vector, as a flow from this host.
        var connection = SampleRecords.Connection(ConnectionEventKind.Opened, Transport.Udp) with
        {
            Local = new IPEndPoint(IPAddress.Parse("192.168.1.52"), 54585),
            Remote = new IPEndPoint(IPAddress.Parse("8.8.8.8"), 53),
        };
        using (JsonDocument document = JsonLine.ParseSingle(Formatter.FormatLine(SampleRecords.ConnectionRecord(connection))))
        {
            Assert.Equal("1:d/FP5EW3wiY1vCndhwleRRKHowQ=", document.RootElement.At("network.community_id").GetString());
            Assert.Equal("17", document.RootElement.At("network.iana_number").GetString());
        }

        var portUnknown = connection with { Local = new IPEndPoint(IPAddress.Parse("192.168.1.52"), 0) };
        using (JsonDocument document = JsonLine.ParseSingle(Formatter.FormatLine(SampleRecords.ConnectionRecord(portUnknown))))
        {
            Assert.False(document.RootElement.Has("network.community_id"));
            Assert.False(document.RootElement.Has("source.port"));
        }
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("::ffff:0.0.0.0")]
    public void AnUnboundSourceAddressIsLeftOutNeverWrittenAsUnspecified(string unspecified)
    {
        var connection = SampleRecords.Connection(ConnectionEventKind.Opened, Transport.Udp) with
        {
            Local = new IPEndPoint(IPAddress.Parse(unspecified), 38001),
            Remote = new IPEndPoint(IPAddress.Parse(unspecified.Contains(':', StringComparison.Ordinal) && !unspecified.Contains('.', StringComparison.Ordinal) ? "2001:db8::53" : "198.51.100.53"), 53),
        };

        using JsonDocument document = JsonLine.ParseSingle(Formatter.FormatLine(SampleRecords.ConnectionRecord(connection)));
        JsonElement root = document.RootElement;

        Assert.False(root.Has("source.ip"));
        Assert.Equal(38001, root.At("source.port").GetInt32());
        Assert.False(root.Has("network.community_id"));
        Assert.Single(root.At("related.ip").EnumerateArray());
    }

    [Fact]
    public void EveryLineHasItsOwnEventIdAndTheTimeItWasWritten()
    {
        var formatter = new EcsJsonFormatter(new HostIdentity { Name = "h" });
        var ids = new HashSet<string>();
        for (int i = 0; i < 100; i++)
        {
            using JsonDocument document = JsonLine.ParseSingle(formatter.FormatLine(SampleRecords.EventsLost()));
            Assert.True(ids.Add(document.RootElement.At("event.id").GetString()!));
            DateTimeOffset created = DateTimeOffset.Parse(document.RootElement.At("event.created").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(created, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        }
    }

    [Fact]
    public void EveryRuleInTheCatalogIsWrittenWithItsMetadataAndTechniques()
    {
        foreach (RuleMetadata rule in RuleCatalog.All)
        {
            using JsonDocument document = JsonLine.ParseSingle(Formatter.FormatLine(SampleRecords.HighSendRate() with { Rule = rule.Name }));
            JsonElement root = document.RootElement;

            Assert.Equal(rule.Id, root.At("rule.id").GetString());
            Assert.Equal("net_sentinel", root.At("rule.ruleset").GetString());
            Assert.Equal(rule.Reference, root.At("rule.reference").GetString());
            Assert.Equal("MITRE ATT&CK", root.At("threat.framework").GetString());
            Assert.Equal(rule.Techniques.Select(t => t.Id), root.At("threat.technique.id").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(rule.Techniques.Count, root.At("threat.technique.reference").GetArrayLength());
        }
    }

    [Fact]
    public void IdentityAncestryAndContainerAreWritten()
    {
        var shell = new ProcessInfo { Pid = 4100, Name = "sh", Executable = "/usr/bin/dash", EntityId = "parent-entity", CommandLine = "sh -c curl", Start = SampleRecords.Time.AddSeconds(-2) };
        var login = new ProcessInfo { Pid = 4000, Name = "bash", Executable = "/usr/bin/bash", EntityId = "grandparent-entity" };
        var process = SampleRecords.Curl(AttributionSource.Kernel) with
        {
            EntityId = "curl-entity",
            Start = SampleRecords.Time.AddSeconds(-1),
            Args = ["curl", "-T", "big.tar"],
            Ancestry = [shell, login],
            ExecutableInode = 1234,
            ExecutableDevice = 66306,
            CgroupPath = "/kubepods/burstable/pod0d4f8b6e-3c1a-4e2b-9f7d-5a6b8c9d0e1f/" + new string('a', 64),
            Container = CgroupPathParser.Parse("/kubepods/burstable/pod0d4f8b6e-3c1a-4e2b-9f7d-5a6b8c9d0e1f/" + new string('a', 64)),
            NetworkNamespace = 4026531840,
        };
        var record = SampleRecords.ConnectionRecord(SampleRecords.Connection(ConnectionEventKind.Opened) with { Process = process });

        using JsonDocument document = JsonLine.ParseSingle(Formatter.FormatLine(record));
        JsonElement root = document.RootElement;

        Assert.Equal("curl-entity", root.At("process.entity_id").GetString());
        Assert.Equal("2025-03-14T13:09:25.535Z", root.At("process.start").GetString());
        Assert.Equal(3, root.At("process.args_count").GetInt32());
        Assert.Equal("parent-entity", root.At("process.parent.entity_id").GetString());
        Assert.Equal("/usr/bin/dash", root.At("process.parent.executable").GetString());
        Assert.Equal("sh -c curl", root.At("process.parent.command_line").GetString());
        Assert.Equal(["parent-entity", "grandparent-entity"], root.At("net_sentinel.ancestry").EnumerateArray().Select(a => a.At("entity_id").GetString()));
        Assert.Equal(new string('a', 64), root.At("container.id").GetString());
        Assert.Equal("0d4f8b6e-3c1a-4e2b-9f7d-5a6b8c9d0e1f", root.At("orchestrator.resource.id").GetString());
        Assert.Equal("burstable", root.At("net_sentinel.process.pod_qos_class").GetString());
        Assert.Equal(1234UL, root.At("net_sentinel.process.executable_inode").GetUInt64());
        Assert.Equal(4026531840UL, root.At("net_sentinel.process.network_namespace").GetUInt64());
        Assert.Equal(["198.51.100.1", "198.51.100.2"], root.At("related.ip").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["alice"], root.At("related.user").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void ARecordTypeWithoutALayoutIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Formatter.FormatLine(new UnlaidOutRecord { Timestamp = SampleRecords.Time, Source = "test" }));
        Assert.StartsWith("no JSON line layout for log record type UnlaidOutRecord", error.Message, StringComparison.Ordinal);
    }

    private sealed record UnlaidOutRecord : LogRecord;
}
