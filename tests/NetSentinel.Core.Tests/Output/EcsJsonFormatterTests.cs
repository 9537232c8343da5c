using System.Net;
using System.Text;
using System.Text.Json;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Output;

public class EcsJsonFormatterTests
{
    private static readonly EcsJsonFormatter Formatter = new("sentinel-test");

    private static string Format(LogRecord record) => Encoding.UTF8.GetString(Formatter.FormatLine(record));

    [Fact]
    public void FullAlertIsWrittenExactly()
    {
        const string expected =
            """{"@timestamp":"2025-03-14T13:09:26.535Z","message":"curl (pid 4242) sent 7500000 bytes/s, above 5000000 bytes/s over 5 s","log":{"level":"high"},"ecs":{"version":"8.11.0"},"event":{"kind":"alert","action":"high_send_rate","category":["network"],"type":["info"],"severity":3,"module":"net_sentinel","dataset":"net_sentinel.alert"},"rule":{"name":"high_send_rate"},"process":{"pid":4242,"name":"curl","executable":"/usr/bin/curl","command_line":"curl -T big.tar https://198.51.100.2/upload","parent":{"pid":4100}},"user":{"id":"1000","name":"alice"},"host":{"name":"sentinel-test"},"net_sentinel":{"schema_version":1,"source":"poll","attribution":"proc","value":7500000,"threshold":5000000,"unit":"bytes_per_second","window_seconds":5,"events_lost_in_window":0,"baseline":{"samples_seen":3,"samples_required":3,"mature":true},"host":{"bytes_sent_per_second":7612345.5}}}"""
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
            """{"@timestamp":"2025-03-14T13:09:26.535Z","message":"curl contacted a new destination 198.51.100.2:443/tcp","log":{"level":"medium"},"ecs":{"version":"8.11.0"},"event":{"kind":"alert","action":"new_destination","category":["network"],"type":["info"],"severity":2,"module":"net_sentinel","dataset":"net_sentinel.alert"},"rule":{"name":"new_destination"},"process":{"pid":4242,"name":"curl","executable":"/usr/bin/curl","command_line":"curl -T big.tar https://198.51.100.2/upload","parent":{"pid":4100}},"user":{"id":"1000","name":"alice"},"destination":{"ip":"198.51.100.2","port":443},"network":{"transport":"tcp","type":"ipv4","direction":"egress"},"host":{"name":"sentinel-test"},"net_sentinel":{"schema_version":1,"source":"poll","attribution":"proc","value":1,"threshold":0,"unit":"destination","window_seconds":5,"events_lost_in_window":0,"baseline":{"samples_seen":5,"samples_required":3,"mature":true}}}"""
            + "\n";

        Assert.Equal(expected, Format(alert));
    }

    [Fact]
    public void ClosedConnectionIsWrittenExactly()
    {
        var record = SampleRecords.ConnectionRecord(SampleRecords.Connection(ConnectionEventKind.Closed));

        const string expected =
            """{"@timestamp":"2025-03-14T13:09:26.535Z","message":"connection_closed tcp 198.51.100.1:40312 -> 198.51.100.2:443 by curl (pid 4242)","log":{"level":"info"},"ecs":{"version":"8.11.0"},"event":{"kind":"event","action":"connection_closed","category":["network"],"type":["connection","end"],"duration":1500250000,"module":"net_sentinel","dataset":"net_sentinel.connection"},"process":{"pid":4242,"name":"curl","executable":"/usr/bin/curl","command_line":"curl -T big.tar https://198.51.100.2/upload","parent":{"pid":4100}},"user":{"id":"1000","name":"alice"},"source":{"ip":"198.51.100.1","port":40312,"bytes":1048576},"destination":{"ip":"198.51.100.2","port":443,"bytes":5120},"network":{"transport":"tcp","type":"ipv4","direction":"egress","bytes":1053696},"host":{"name":"sentinel-test"},"net_sentinel":{"schema_version":1,"source":"ebpf","attribution":"kernel","connection_id":77,"failed":false}}"""
            + "\n";

        Assert.Equal(expected, Format(record));
    }

    [Fact]
    public void EventsLostIsWrittenExactly()
    {
        const string expected =
            """{"@timestamp":"2025-03-14T13:09:26.535Z","message":"12 events lost by the ebpf source (40 since start)","log":{"level":"warning"},"ecs":{"version":"8.11.0"},"event":{"kind":"metric","action":"events_lost","module":"net_sentinel","dataset":"net_sentinel.events_lost"},"host":{"name":"sentinel-test"},"net_sentinel":{"schema_version":1,"source":"ebpf","lost":12,"total_lost":40}}"""
            + "\n";

        Assert.Equal(expected, Format(SampleRecords.EventsLost()));
    }

    [Theory]
    [InlineData(ConnectionEventKind.Opened, Transport.Tcp, false, "connection_opened", new[] { "connection", "start" })]
    [InlineData(ConnectionEventKind.Opened, Transport.Udp, false, "udp_flow", new[] { "connection", "start" })]
    [InlineData(ConnectionEventKind.Closed, Transport.Tcp, true, "connection_failed", new[] { "connection", "end", "error" })]
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
    [InlineData(Severity.Low, 1, "low")]
    [InlineData(Severity.Critical, 4, "critical")]
    public void SeverityIsWrittenAsNumberAndLevel(Severity severity, int number, string level)
    {
        using JsonDocument document = JsonLine.ParseSingle(Formatter.FormatLine(SampleRecords.HighSendRate() with { Severity = severity }));

        Assert.Equal(number, document.RootElement.At("event.severity").GetInt32());
        Assert.Equal(level, document.RootElement.At("log.level").GetString());
    }

    [Fact]
    public void HostNameDefaultsToTheMachineName()
    {
        Assert.Equal(Environment.MachineName, new EcsJsonFormatter().HostName);
    }

    [Fact]
    public void ARecordTypeWithoutALayoutIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Formatter.FormatLine(new UnlaidOutRecord { Timestamp = SampleRecords.Time, Source = "test" }));
        Assert.StartsWith("no JSON line layout for log record type UnlaidOutRecord", error.Message, StringComparison.Ordinal);
    }

    private sealed record UnlaidOutRecord : LogRecord;
}
