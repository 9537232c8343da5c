using System.Net;
using NetSentinel.Core.Dns;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Core.Tests.Dns;

public class TcpDnsReassemblerTests
{
    private static readonly TcpDnsStream Answers = new(AddressKey.From(IPAddress.Parse("198.51.100.1")), 40000, AddressKey.From(IPAddress.Parse("198.51.100.53")), 53, FromServer: true);
    private static readonly TcpDnsStream Other = Answers with { LocalPort = 40001 };

    /// <summary>A response with <paramref name="count"/> A answers, with its 2-byte TCP length in front.</summary>
    private static byte[] Framed(int count)
    {
        var addresses = Enumerable.Range(1, count).Select(i => new IPAddress([198, 18, 0, (byte)i])).ToArray();
        byte[] message = DnsPacketBuilder.Response("many.example.test", addresses: addresses);
        return [(byte)(message.Length >> 8), (byte)message.Length, .. message];
    }

    private static DnsMessage Parse(byte[] bytes, int declared)
    {
        Assert.Equal(DnsParseStatus.Parsed, DnsMessageParser.Parse(bytes, isPrefix: bytes.Length < declared, out var message));
        return message!;
    }

    [Fact]
    public void A_message_in_one_segment_comes_out_at_once()
    {
        var r = new TcpDnsReassembler();
        byte[] framed = Framed(2);
        Assert.True(r.TryAdd(Answers, 1000, framed.Length, framed, out var message, out int declared));
        Assert.Equal(2, Parse(message, declared).Answers.Count);
        Assert.Equal(0, r.PendingCount);
    }

    [Fact]
    public void A_length_written_alone_and_a_message_in_pieces_are_put_together_across_streams()
    {
        var r = new TcpDnsReassembler();
        byte[] framed = Framed(30); // 30 answers: past 512 bytes, so beyond what one captured segment holds
        Assert.True(framed.Length > 512);
        uint seq = 7;
        int[] cuts = [2, 300, framed.Length - 302];
        int at = 0;
        byte[]? message = null;
        int declared = 0;
        foreach (int length in cuts)
        {
            byte[] other = Framed(1);
            Assert.True(r.TryAdd(Other, 90, other.Length, other, out _, out _)); // another stream between the pieces
            bool done = r.TryAdd(Answers, seq, length, framed.AsSpan(at, length), out message, out declared);
            Assert.Equal(at + length == framed.Length, done);
            seq += (uint)length;
            at += length;
        }
        var parsed = Parse(message!, declared);
        Assert.Equal(30, parsed.Answers.Count);
        Assert.Equal("198.18.0.30", parsed.Answers[^1].Data);
    }

    [Fact]
    public void A_retransmission_is_skipped_and_a_hole_abandons_the_message()
    {
        var r = new TcpDnsReassembler();
        byte[] framed = Framed(30);
        Assert.False(r.TryAdd(Answers, 100, 200, framed.AsSpan(0, 200), out _, out _));
        Assert.False(r.TryAdd(Answers, 100, 200, framed.AsSpan(0, 200), out _, out _)); // the same segment again
        Assert.True(r.TryAdd(Answers, 300, framed.Length - 200, framed.AsSpan(200), out var message, out int declared));
        Assert.Equal(30, Parse(message, declared).Answers.Count);

        Assert.False(r.TryAdd(Answers, 1000, 200, framed.AsSpan(0, 200), out _, out _));
        Assert.False(r.TryAdd(Answers, 1300, 100, framed.AsSpan(300, 100), out _, out _)); // bytes 200..300 never seen
        Assert.Equal(1, r.Abandoned);
        Assert.Equal(0, r.PendingCount);
    }

    [Fact]
    public void A_segment_captured_short_leaves_a_parseable_prefix()
    {
        var r = new TcpDnsReassembler();
        byte[] framed = Framed(30);
        // The first segment carried 400 bytes on the wire but only 300 were copied: the rest of the message is unknown.
        Assert.False(r.TryAdd(Answers, 1, 400, framed.AsSpan(0, 300), out _, out _));
        Assert.True(r.TryAdd(Answers, 401, framed.Length - 400, framed.AsSpan(400), out var message, out int declared));
        Assert.Equal(298, message.Length);
        Assert.Equal(DnsParseStatus.Parsed, DnsMessageParser.Parse(message, isPrefix: message.Length < declared, out var prefix));
        Assert.False(prefix!.Complete);
        Assert.InRange(prefix.Answers.Count, 1, 29);
    }

    [Fact]
    public void Pending_messages_are_bounded_and_a_message_is_bounded()
    {
        var r = new TcpDnsReassembler();
        for (int port = 0; port < TcpDnsReassembler.MaxStreams + 10; port++)
        {
            r.TryAdd(Answers with { LocalPort = port }, 1, 2, [0x10, 0x00], out _, out _); // a length of 4096, nothing more yet
        }
        Assert.Equal(TcpDnsReassembler.MaxStreams, r.PendingCount);
        Assert.Equal(10, r.Abandoned);

        var big = new TcpDnsReassembler();
        Assert.False(big.TryAdd(Answers, 1, 2, [0xff, 0xff], out _, out _));
        uint seq = 3;
        byte[]? message = null;
        for (int sent = 0; sent < 0xffff; sent += 500)
        {
            int length = Math.Min(500, 0xffff - sent);
            big.TryAdd(Answers, seq, length, new byte[length], out message, out _);
            seq += (uint)length;
        }
        Assert.Equal(TcpDnsReassembler.MaxMessageBytes, message!.Length);
    }
}
