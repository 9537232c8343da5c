using System.Net;
using NetSentinel.Core.Dns;
using NetSentinel.Core.Model;
using NetSentinel.Windows.Dns;

namespace NetSentinel.Windows.Tests.Dns;

/// <summary>
/// DNS-Client events (payloads as the provider writes them: QueryResults entries separated by ';', a CNAME as
/// "type:  5 name", IPv4 answers in their IPv4-mapped form) into DNS events and the same name cache Linux uses.
/// </summary>
public class EtwDnsEventMapperTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
    private readonly EtwDnsEventMapper _mapper = new(new FakeProcessInfoResolver((4321, @"C:\Program Files\App\app.exe")));

    [Fact]
    public void A_started_query_is_a_query_of_the_calling_process()
    {
        var dns = _mapper.Map(new EtwDnsRecord(3006, 4321, "WWW.Example.Test.", 1, 0, "", T0))!;
        Assert.False(dns.Message!.IsResponse);
        Assert.Equal(("www.example.test", DnsRecordType.A), (dns.Message.QuestionName, dns.Message.QuestionType));
        Assert.Equal(("app.exe", 4321, AttributionSource.Etw), (dns.Process.Name, dns.Process.Pid, dns.Process.IdentifiedBy));
        Assert.Null(dns.Server);
    }

    [Fact]
    public void A_completed_query_gives_its_cname_chain_and_addresses()
    {
        var dns = _mapper.Map(new EtwDnsRecord(3008, 4321, "www.example.test", 1, 0,
            "type:  5 edge.cdn.test;::ffff:198.51.100.7;::ffff:198.51.100.8;2001:db8::7;", T0))!;
        var m = dns.Message!;
        Assert.True(m.IsResponse);
        Assert.Equal(0, m.ResponseCode);
        Assert.Equal(
            [(DnsRecordType.Cname, "www.example.test", "edge.cdn.test"), (DnsRecordType.A, "edge.cdn.test", "198.51.100.7"),
             (DnsRecordType.A, "edge.cdn.test", "198.51.100.8"), (DnsRecordType.Aaaa, "edge.cdn.test", "2001:db8::7")],
            m.Answers.Select(a => (a.Type, a.Name, a.Data)));

        var cache = new DnsNameCache(100, TimeSpan.FromSeconds(60), TimeSpan.FromHours(1), T0);
        cache.Add(dns.Process.Pid, m, T0);
        var names = cache.Lookup(4321, IPAddress.Parse("198.51.100.8"), T0.AddSeconds(30))!;
        Assert.Equal("www.example.test", names.Domain);
        Assert.Equal(["edge.cdn.test"], names.Others);
    }

    [Theory]
    [InlineData(9003, 3)] // DNS_ERROR_RCODE_NAME_ERROR: NXDOMAIN
    [InlineData(9501, 0)] // DNS_INFO_NO_RECORDS: NOERROR without data
    [InlineData(1460, 2)] // a timeout reads as SERVFAIL
    public void Failed_queries_carry_a_response_code_and_no_answers(int status, int rcode)
    {
        var m = _mapper.Map(new EtwDnsRecord(3008, 4321, "none.example.test", 28, status, "::ffff:198.51.100.9;", T0))!.Message!;
        Assert.Equal(rcode, m.ResponseCode);
        Assert.Empty(m.Answers);
    }

    [Fact]
    public void Odd_payloads_are_bounded_or_dropped()
    {
        Assert.Null(_mapper.Map(new EtwDnsRecord(3020, 4321, "x.test", 1, 0, "", T0)));          // an event id not used
        Assert.Null(_mapper.Map(new EtwDnsRecord(3006, 4321, "", 1, 0, "", T0)));                // no name
        Assert.Null(_mapper.Map(new EtwDnsRecord(3006, 4321, new string('a', 300), 1, 0, "", T0)));
        Assert.Null(_mapper.Map(new EtwDnsRecord(3006, 4321, "a\nb.test", 1, 0, "", T0)));
        string many = string.Concat(Enumerable.Range(0, 100).Select(i => $"::ffff:198.51.100.{i};")) + "garbage;type: x;";
        var m = _mapper.Map(new EtwDnsRecord(3008, 4321, "many.test", 1, 0, many, T0))!.Message!;
        Assert.Equal(DnsMessageParser.MaxAnswers, m.Answers.Count);
        var unknown = _mapper.Map(new EtwDnsRecord(3008, 999, "who.test", 1, 0, "::ffff:198.51.100.1;", T0))!;
        Assert.Equal("?", unknown.Process.Name);
    }
}
