using System.Net;
using System.Text;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Dns;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;
using NetSentinel.Core.Sources;
using NetSentinel.Windows.Dns;
using NetSentinel.Windows.Etw;
using NetSentinel.Windows.Tests.Etw;

namespace NetSentinel.Windows.Tests.Dns;

/// <summary>
/// The DNS-Client session beside the kernel one, driven with payloads laid out as the provider's templates: what the
/// session enables, which events become records, their order against connections, and the session's lifecycle.
/// What only Windows can show (that TraceEvent delivers these payloads from a live session) is not tested here.
/// </summary>
public class EtwDnsSessionWiringTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeProcessInfoResolver _processes = new((4321, @"C:\Program Files\App\app.exe"));

    private EtwConnectionSource Source(FakeKernelSession kernel, FakeDnsSession dns) =>
        new(TimeProvider.System, kernel, _processes, new NoConnections(), _ => false, 64, dns);

    private static EtwNetworkRecord Connect(string address, DateTimeOffset at) =>
        new(EtwNetworkOpcode.Connect, Transport.Tcp, 4321, 0, IPAddress.Parse("198.51.100.1"), 50000, IPAddress.Parse(address), 443, at);

    [Fact]
    public void The_session_enables_the_dns_client_provider_for_its_two_query_events()
    {
        Assert.Equal("Microsoft-Windows-DNS-Client", EtwDnsProvider.Name);
        Assert.Equal(Guid.Parse("{1C95126E-7EEA-49A9-A3FE-A378B03DDB4D}"), EtwDnsProvider.Id);
        Assert.Equal([3006, 3008], EtwDnsProvider.EventIds);
        Assert.Equal(4, EtwDnsProvider.Level);
    }

    [Fact]
    public void Payloads_become_records_and_everything_else_is_dropped()
    {
        var completed = DnsClientPayload.Read(3008, DnsClientPayload.Completed("www.example.test", 28, 0, "2001:db8::7;"), at: T0)!.Value;
        Assert.Equal((3008, 4321, "www.example.test", 28, 0, "2001:db8::7;", T0),
            (completed.EventId, completed.ProcessId, completed.QueryName, completed.QueryType, completed.QueryStatus, completed.QueryResults, completed.Timestamp));
        var started = DnsClientPayload.Read(3006, DnsClientPayload.Started("www.example.test", 1))!.Value;
        Assert.Equal((3006, "www.example.test", 1, 0, ""), (started.EventId, started.QueryName, started.QueryType, started.QueryStatus, started.QueryResults));

        byte[] valid = DnsClientPayload.Completed("www.example.test", 1, 0, "::ffff:198.51.100.7;");
        Assert.Null(DnsClientPayload.Read(3009, valid));
        Assert.Null(EtwDnsRecordReader.Read(Guid.NewGuid(), 3008, 4321, valid, T0));
        // Cut anywhere, the payload is no record (never a half-read one): each field ends inside it or not at all.
        for (int length = 0; length < valid.Length; length++)
        {
            Assert.Null(DnsClientPayload.Read(3008, valid[..length]));
        }
        // A result text beyond the bound is cut, not refused.
        var huge = DnsClientPayload.Read(3008, DnsClientPayload.Completed("x.example.test", 1, 0, new string('1', 20_000)))!.Value;
        Assert.Equal(EtwDnsRecordReader.MaxResultsChars, huge.QueryResults.Length);
    }

    [Fact]
    public void An_answer_reaches_the_sink_before_the_connection_it_led_to_whichever_session_delivered_first()
    {
        var kernel = new FakeKernelSession();
        var dns = new FakeDnsSession();
        using var source = Source(kernel, dns);
        var sink = new CollectingSink();

        kernel.Deliver(Connect("198.51.100.7", T0.AddMilliseconds(2)));
        dns.Deliver(3008, DnsClientPayload.Completed("www.example.test", 1, 0, "::ffff:198.51.100.7;"), T0.AddMilliseconds(1));
        source.Pump(sink, TimeSpan.FromSeconds(5));

        Assert.Equal(["dns", "Opened"], sink.Order);
        var answer = Assert.Single(sink.Dns);
        Assert.Equal((4321, "app.exe", AttributionSource.Etw), (answer.Process.Pid, answer.Process.Name, answer.Process.IdentifiedBy));
        Assert.Equal("198.51.100.7", Assert.Single(answer.Message!.Answers).Data);
    }

    [Fact]
    public async Task A_query_alone_wakes_a_waiting_pump()
    {
        var kernel = new FakeKernelSession();
        var dns = new FakeDnsSession();
        using var source = Source(kernel, dns);
        var sink = new CollectingSink();

        var deliver = Task.Run(async () =>
        {
            await Task.Delay(200);
            dns.Deliver(3006, DnsClientPayload.Started("blocked.example.test", 1), T0);
        });
        var started = DateTime.UtcNow;
        source.Pump(sink, TimeSpan.FromSeconds(30));
        await deliver;

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the query woke the pump, not its timeout");
        Assert.Equal("blocked.example.test", Assert.Single(sink.Dns).Message!.QuestionName);
        source.Pump(sink, TimeSpan.Zero); // the wake-up was cleared: nothing more, and no spin
        Assert.Single(sink.Dns);
    }

    [Fact]
    public void A_dns_session_that_cannot_start_costs_the_names_not_the_connections()
    {
        var kernel = new FakeKernelSession();
        var dns = new FakeDnsSession { StartFailure = new EtwSessionException("cannot start the DNS-Client ETW session: Call not implemented.") };
        using var source = Source(kernel, dns);
        var sink = new CollectingSink();

        Assert.True(dns.Disposed);
        Assert.Contains(source.StartupNotes, note => note == "etw: no domain names: cannot start the DNS-Client ETW session: Call not implemented.");
        Assert.DoesNotContain(source.StartupNotes, note => note.Contains("domain names from"));
        kernel.Deliver(Connect("198.51.100.7", T0));
        source.Pump(sink, TimeSpan.FromSeconds(5));
        Assert.Equal(["Opened"], sink.Order);
    }

    [Fact]
    public void A_running_dns_session_is_named_in_the_notes_stopped_from_outside_fails_the_pump_and_its_losses_count()
    {
        var kernel = new FakeKernelSession { Lost = 2 };
        var dns = new FakeDnsSession { Lost = 5 };
        using var source = Source(kernel, dns);

        Assert.Contains(source.StartupNotes, note => note.Contains("DNS-Client session \"net-sentinel-dns-test\"") && note.Contains("3006 and 3008"));
        Assert.Equal(7, source.EventsLost);

        dns.StopFromOutside();
        var error = Assert.Throws<EtwSessionException>(() => source.Pump(new CollectingSink(), TimeSpan.FromSeconds(30)));
        Assert.Contains("the DNS-Client ETW session \"net-sentinel-dns-test\" was stopped from outside", error.Message);
    }

    [Fact]
    public void The_pipeline_names_the_connection_from_the_dns_client_answer()
    {
        var kernel = new FakeKernelSession();
        var dns = new FakeDnsSession();
        using var source = Source(kernel, dns);
        var records = new RecordList();
        var pipeline = new DetectionPipeline(new MonitorConfig { LogConnections = true, BaselineSamples = 0 }, records, "etw", TimeProvider.System, learnBaseline: true);

        dns.Deliver(3006, DnsClientPayload.Started("www.example.test", 1), T0);
        dns.Deliver(3008, DnsClientPayload.Completed("www.example.test", 1, 0, "type:  5 edge.cdn.test;::ffff:198.51.100.7;"), T0.AddMilliseconds(1));
        kernel.Deliver(Connect("198.51.100.7", T0.AddMilliseconds(2)));
        source.Pump(pipeline, TimeSpan.FromSeconds(5));

        var formatter = new EcsJsonFormatter("test-host");
        var lines = records.Select(r => Encoding.UTF8.GetString(formatter.FormatLine(r))).ToList();
        Assert.Contains(lines, l => l.Contains("\"action\":\"dns_query\"") && l.Contains("\"name\":\"www.example.test\""));
        Assert.Contains(lines, l => l.Contains("\"action\":\"dns_answer\"") && l.Contains("198.51.100.7"));
        var opened = Assert.Single(lines, l => l.Contains("\"action\":\"connection_opened\""));
        Assert.Contains("\"domain\":\"www.example.test\"", opened);
        Assert.Contains("edge.cdn.test", opened); // the other name, in net_sentinel.domains
    }

    private sealed class NoConnections : IConnectionSnapshotProvider
    {
        public string? DegradedReason => null;

        public IReadOnlyList<ConnectionRecord> Capture() => [];
    }

    private sealed class RecordList : List<LogRecord>, IRecordSink
    {
        public void Write(LogRecord record) => Add(record);

        public void Dispose()
        {
        }
    }
}
