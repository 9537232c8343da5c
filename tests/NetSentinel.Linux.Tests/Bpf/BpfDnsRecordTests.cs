using System.Buffers.Binary;
using System.Net;
using NetSentinel.Core.Flows;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Bpf.Abi;
using NetSentinel.Tests.Shared;
using static NetSentinel.Linux.Tests.Bpf.GoldenRecords;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>ns_dns_event records through the decoder and translator into DNS events, without a kernel.</summary>
public sealed class BpfDnsRecordTests : IDisposable
{
    private static readonly NsEndpoints Udp = Ends("198.51.100.1", 40000, "198.51.100.53", 53, NsAbi.ProtoUdp);
    private static readonly NsEndpoints Tcp = Ends("198.51.100.1", 40001, "198.51.100.53", 53, NsAbi.ProtoTcp);
    private readonly string _proc = Directory.CreateTempSubdirectory("ns-fakeproc-").FullName;
    private readonly EventRecorder _events = new();
    private readonly BpfRecordDecoder _decoder;

    public BpfDnsRecordTests()
    {
        var translator = new BpfEventTranslator(new FlowLedger<ulong>(TimeProvider.System), new ProcessCatalog(_proc), new FakeUdpFlowTable());
        _decoder = new BpfRecordDecoder(translator);
    }

    [Fact]
    public void AnAnswerBecomesADnsEventOfTheAskingTaskWithItsServer()
    {
        var answer = DnsPacketBuilder.Response("www.example.test", addresses: [IPAddress.Parse("198.51.100.7")]);
        _decoder.Decode(DnsMessage(1_000, Task(4242, "curl"), Udp, answer), _events);

        var dns = Assert.Single(_events.DnsEvents);
        Assert.Equal(("curl", 4242), (dns.Process.Name, dns.Process.Pid));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.53"), 53), dns.Server);
        Assert.Equal(Transport.Udp, dns.Transport);
        Assert.Equal("www.example.test", dns.Message!.QuestionName);
        Assert.Equal("198.51.100.7", Assert.Single(dns.Message.Answers).Data);
        Assert.Equal(0, _decoder.Refused);
    }

    [Fact]
    public void AnAnswerLongerThanTheCaptureKeepsTheAnswersThatFit()
    {
        var builder = new DnsPacketBuilder().Header(1, response: true, answers: 40).Question("many.example.test");
        for (int i = 0; i < 40; i++) builder.AnswerA(12, new IPAddress([198, 51, 100, (byte)i]));
        byte[] answer = builder.ToArray();
        Assert.True(answer.Length > NsAbi.DnsPayloadLength);

        _decoder.Decode(DnsMessage(1_000, Task(1), Udp, answer), _events);

        var message = Assert.Single(_events.DnsEvents).Message!;
        Assert.False(message.Complete);
        Assert.InRange(message.Answers.Count, 20, 31);
    }

    [Fact]
    public void AHostileAnswerArrivesWithoutAMessageToBeCounted()
    {
        var loop = new DnsPacketBuilder().Header(1, response: true, answers: 1).Question("x.test");
        loop.Pointer(loop.Length).U16(1).U16(1).U32(5).U16(4).Raw(1, 2, 3, 4);
        _decoder.Decode(DnsMessage(1_000, Task(1), Udp, loop.ToArray()), _events);
        var truncated = DnsPacketBuilder.Response("t.test", addresses: [IPAddress.Parse("198.51.100.1")])[..^2];
        _decoder.Decode(DnsMessage(2_000, Task(1), Udp, truncated), _events);

        Assert.Equal(2, _events.DnsEvents.Count);
        Assert.All(_events.DnsEvents, e => Assert.Null(e.Message));
        Assert.Empty(_events.Events);
    }

    [Fact]
    public void OverTcpTheLengthPrefixIsStrippedAndContinuationSegmentsAreSkipped()
    {
        var answer = DnsPacketBuilder.Response("tcp.example.test", addresses: [IPAddress.Parse("198.51.100.9")]);
        var framed = new byte[answer.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)answer.Length);
        answer.CopyTo(framed, 2);
        _decoder.Decode(DnsMessage(1_000, Task(1), Tcp, framed), _events);
        _decoder.Decode(DnsMessage(2_000, Task(1), Tcp, new byte[] { 0, 1, 9, 9, 9, 9, 9, 9 }), _events); // not a message start

        var dns = Assert.Single(_events.DnsEvents);
        Assert.Equal((Transport.Tcp, "tcp.example.test"), (dns.Transport, dns.Message!.QuestionName));
    }

    [Fact]
    public void OverTcpAnAnswerInSeveralSegmentsIsPutTogetherByItsSequenceNumbers()
    {
        // 30 answers (past the 512 bytes one record holds), sent as its length alone and then two pieces; a query
        // segment of the same connection (the other direction) comes in between.
        var addresses = Enumerable.Range(1, 30).Select(i => new IPAddress([198, 18, 0, (byte)i])).ToArray();
        var answer = DnsPacketBuilder.Response("split.example.test", addresses: addresses);
        var framed = new byte[answer.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)answer.Length);
        answer.CopyTo(framed, 2);
        var query = DnsPacketBuilder.Query("split.example.test");
        var framedQuery = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framedQuery, (ushort)query.Length);
        query.CopyTo(framedQuery, 2);

        _decoder.Decode(DnsMessage(1_000, Task(1), Tcp, framed[..2], tcpSeq: 5000), _events);
        _decoder.Decode(DnsMessage(1_500, Task(1), Tcp, framedQuery, tcpSeq: 77, ingress: false), _events);
        _decoder.Decode(DnsMessage(2_000, Task(1), Tcp, framed[2..400], tcpSeq: 5002), _events);
        _decoder.Decode(DnsMessage(3_000, Task(1), Tcp, framed[400..], tcpSeq: 5400), _events);

        Assert.Equal(2, _events.DnsEvents.Count);
        Assert.False(_events.DnsEvents[0].Message!.IsResponse);
        var whole = _events.DnsEvents[1].Message!;
        Assert.True(whole.Complete);
        Assert.Equal(30, whole.Answers.Count);
        Assert.Equal("198.18.0.30", whole.Answers[^1].Data);
    }

    public void Dispose() => Directory.Delete(_proc, recursive: true);
}
