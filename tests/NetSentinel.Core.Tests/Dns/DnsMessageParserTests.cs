using System.Net;
using NetSentinel.Core.Dns;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Core.Tests.Dns;

public class DnsMessageParserTests
{
    private static DnsMessage Parsed(byte[] packet, bool isPrefix = false)
    {
        Assert.Equal(DnsParseStatus.Parsed, DnsMessageParser.Parse(packet, isPrefix, out var message));
        return message!;
    }

    private static void AssertMalformed(byte[] packet, bool isPrefix = false) =>
        Assert.Equal(DnsParseStatus.Malformed, DnsMessageParser.Parse(packet, isPrefix, out _));

    [Fact]
    public void Query_gives_its_question()
    {
        var m = Parsed(DnsPacketBuilder.Query("WWW.Example.TEST", id: 7, type: 28));
        Assert.False(m.IsResponse);
        Assert.Equal(7, m.Id);
        Assert.Equal("www.example.test", m.QuestionName);
        Assert.Equal(DnsRecordType.Aaaa, m.QuestionType);
        Assert.Empty(m.Answers);
    }

    [Fact]
    public void Response_gives_addresses_with_ttl()
    {
        var m = Parsed(DnsPacketBuilder.Response("a.example.test", ttl: 42,
            addresses: [IPAddress.Parse("198.51.100.7"), IPAddress.Parse("198.51.100.8")]));
        Assert.True(m.IsResponse);
        Assert.True(m.Complete);
        Assert.Equal(0, m.ResponseCode);
        Assert.Equal(["198.51.100.7", "198.51.100.8"], m.Answers.Select(a => a.Data));
        Assert.All(m.Answers, a => Assert.Equal(("a.example.test", 42u), (a.Name, a.Ttl)));
    }

    [Fact]
    public void Cname_chain_with_compression_is_followed()
    {
        // www.example.test CNAME edge.cdn.test; edge.cdn.test A 198.51.100.9, the A owner a pointer into the CNAME's data.
        var b = new DnsPacketBuilder().Header(1, response: true, answers: 2).Question("www.example.test");
        int cnameData = b.Length + 12;
        b.AnswerCname(12, "edge.cdn.test", ttl: 60).AnswerA(cnameData, IPAddress.Parse("198.51.100.9"), ttl: 30);
        var m = Parsed(b.ToArray());
        Assert.Equal(DnsRecordType.Cname, m.Answers[0].Type);
        Assert.Equal(("www.example.test", "edge.cdn.test"), (m.Answers[0].Name, m.Answers[0].Target));
        Assert.Equal(("edge.cdn.test", "198.51.100.9"), (m.Answers[1].Name, m.Answers[1].Data));
    }

    [Fact]
    public void Ipv6_answer_and_nxdomain_code()
    {
        var m = Parsed(DnsPacketBuilder.Response("v6.example.test", addresses: [IPAddress.Parse("2001:db8::5")]));
        Assert.Equal(IPAddress.Parse("2001:db8::5"), m.Answers[0].Address);
        var nx = Parsed(new DnsPacketBuilder().Header(2, response: true, rcode: 3).Question("none.test").ToArray());
        Assert.Equal(3, nx.ResponseCode);
    }

    [Fact]
    public void Other_record_types_and_classes_are_skipped_not_malformed()
    {
        var b = new DnsPacketBuilder().Header(1, response: true, answers: 3).Question("x.test")
            .Pointer(12).U16(16).U16(1).U32(5).U16(3).Raw(2, (byte)'h', (byte)'i')      // TXT
            .Pointer(12).U16(1).U16(3).U32(5).U16(4).Raw(1, 2, 3, 4)                     // A in class CH
            .AnswerA(12, IPAddress.Parse("198.51.100.1"));
        var m = Parsed(b.ToArray());
        Assert.Equal("198.51.100.1", Assert.Single(m.Answers).Data);
    }

    [Fact]
    public void Compression_loop_is_malformed()
    {
        // The answer's owner points at itself.
        var b = new DnsPacketBuilder().Header(1, response: true, answers: 1).Question("x.test");
        int self = b.Length;
        b.Pointer(self).U16(1).U16(1).U32(5).U16(4).Raw(1, 2, 3, 4);
        AssertMalformed(b.ToArray());
        AssertMalformed(b.ToArray(), isPrefix: true);
    }

    [Fact]
    public void Pointer_chain_that_goes_forward_or_cycles_is_malformed()
    {
        // Two pointers pointing at each other: 12 → 14 → 12.
        var cycle = new DnsPacketBuilder().Header(1, response: false).Pointer(14).Pointer(12).U16(1).U16(1).ToArray();
        AssertMalformed(cycle);
        // A label sequence that ends with a pointer back to its own start.
        var back = new DnsPacketBuilder().Header(1, response: false).NameThenPointer("a.b", 12).U16(1).U16(1).ToArray();
        AssertMalformed(back);
    }

    [Fact]
    public void Long_backward_pointer_chain_ends()
    {
        // 200 pointers, each pointing at the one before it and the first at the question's name, stored as a TXT
        // record's data; an A record's owner points at the last: strictly backwards, so it resolves.
        var b = new DnsPacketBuilder().Header(1, response: true, answers: 2).Question("deep.test");
        b.Pointer(12).U16(16).U16(1).U32(1).U16(400);
        int at = b.Length;
        b.Pointer(12);
        for (int i = 1; i < 200; i++)
        {
            b.Pointer(at + (2 * (i - 1)));
        }
        b.AnswerA(at + (2 * 199), IPAddress.Parse("198.51.100.3"));
        var answer = Assert.Single(Parsed(b.ToArray()).Answers);
        Assert.Equal(("deep.test", "198.51.100.3"), (answer.Name, answer.Data));
    }

    [Fact]
    public void Label_types_01_and_10_are_malformed()
    {
        AssertMalformed(new DnsPacketBuilder().Header(1, response: false).Raw(0x40, 0).U16(1).U16(1).ToArray());
        AssertMalformed(new DnsPacketBuilder().Header(1, response: false).Raw(0x80, 0).U16(1).U16(1).ToArray());
    }

    [Fact]
    public void Name_over_255_bytes_is_malformed()
    {
        string label = new('a', 63);
        AssertMalformed(DnsPacketBuilder.Query($"{label}.{label}.{label}.{label}.test"));
        var justFits = $"{label}.{label}.{label}.{new string('b', 61)}"; // 4*64 - 2 + 1 = 255 wire bytes
        Assert.Equal(justFits, Parsed(DnsPacketBuilder.Query(justFits)).QuestionName);
    }

    [Fact]
    public void Truncation_is_malformed_unless_only_a_prefix_was_captured()
    {
        var full = DnsPacketBuilder.Response("t.test", addresses: [IPAddress.Parse("198.51.100.1"), IPAddress.Parse("198.51.100.2")]);
        var cut = full[..^3];
        AssertMalformed(cut);
        var m = Parsed(cut, isPrefix: true);
        Assert.False(m.Complete);
        Assert.Equal("198.51.100.1", Assert.Single(m.Answers).Data);
        AssertMalformed(full[..11]);
        AssertMalformed(full[..20], isPrefix: true); // inside the question: never a usable prefix
    }

    [Fact]
    public void Oversized_answer_count_is_bounded_by_the_bytes_and_the_answer_limit()
    {
        var few = new DnsPacketBuilder().Header(1, response: true, answers: ushort.MaxValue).Question("few.test")
            .AnswerA(12, A(1)).AnswerA(12, A(2)).ToArray();
        AssertMalformed(few);
        Assert.Equal(2, Parsed(few, isPrefix: true).Answers.Count);

        var many = new DnsPacketBuilder().Header(1, response: true, answers: ushort.MaxValue).Question("many.test");
        for (int i = 0; i < 100; i++)
        {
            many.AnswerA(12, A(i));
        }
        var m = Parsed(many.ToArray());
        Assert.Equal(DnsMessageParser.MaxAnswers, m.Answers.Count);
        Assert.False(m.Complete);
    }

    private static IPAddress A(int i) => new([198, 51, 100, (byte)i]);

    [Fact]
    public void Wrong_address_length_is_malformed()
    {
        var b = new DnsPacketBuilder().Header(1, response: true, answers: 1).Question("x.test")
            .Pointer(12).U16(1).U16(1).U32(5).U16(3).Raw(1, 2, 3);
        AssertMalformed(b.ToArray());
    }

    [Fact]
    public void Odd_bytes_in_labels_are_escaped_so_a_label_cannot_fake_a_dot()
    {
        var b = new DnsPacketBuilder().Header(1, response: false).Raw(5, (byte)'a', (byte)'.', (byte)'b', 0x0a, (byte)'"', 4)
            .Raw((byte)'t', (byte)'e', (byte)'s', (byte)'t', 0).U16(1).U16(1);
        Assert.Equal("a\\046b\\010\".test", Parsed(b.ToArray()).QuestionName);
    }

    [Fact]
    public void Other_opcodes_and_question_counts_are_ignored()
    {
        Assert.Equal(DnsParseStatus.Ignored, DnsMessageParser.Parse(
            new DnsPacketBuilder().Header(1, response: false, opcode: 5).Question("x.test").ToArray(), false, out _));
        Assert.Equal(DnsParseStatus.Ignored, DnsMessageParser.Parse(
            new DnsPacketBuilder().Header(1, response: false, questions: 2).Question("x.test").Question("y.test").ToArray(), false, out _));
    }
}
