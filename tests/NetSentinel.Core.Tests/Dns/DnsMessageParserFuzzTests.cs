using System.Net;
using NetSentinel.Core.Dns;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Core.Tests.Dns;

/// <summary>
/// Property: for any bytes — random, or a real message with bytes flipped, cut, duplicated or spliced — the
/// parser returns (no exception; no hang, within a loose bound for the whole run), every name it gives is at most 4 × 255 characters (the escaped form
/// of 255 wire bytes), and it keeps at most <see cref="DnsMessageParser.MaxAnswers"/> answers. Seeds are fixed so a
/// failure reproduces; the seed is in the assertion message.
/// </summary>
public class DnsMessageParserFuzzTests
{
    private static readonly byte[][] Seeds = BuildSeeds();

    [Fact]
    public void Random_bytes_never_crash_or_run_away() => WithinAMinute(() =>
    {
        var random = new Random(12);
        for (int i = 0; i < 20_000; i++)
        {
            var packet = new byte[random.Next(0, 600)];
            random.NextBytes(packet);
            if (packet.Length > 5 && random.Next(2) == 0)
            {
                packet[4] = 0;
                packet[5] = 1; // one question, so parsing goes past the header more often
            }
            Check(packet, $"random #{i}");
        }
    });

    [Fact]
    public void Mutated_real_messages_never_crash_or_run_away() => WithinAMinute(() =>
    {
        var random = new Random(2026);
        for (int i = 0; i < 50_000; i++)
        {
            var packet = Mutate(Seeds[random.Next(Seeds.Length)], random);
            Check(packet, $"mutation #{i}");
        }
    });

    /// <summary>A parser that loops would hang the test run: this turns a hang into a failure. The bound is loose
    /// (the runs take a second or two) because the machine is shared: it is about termination, not speed.</summary>
    private static void WithinAMinute(Action run)
    {
        var task = Task.Run(run);
        Assert.True(task.Wait(TimeSpan.FromMinutes(1)), "the parser did not finish: a loop");
        task.GetAwaiter().GetResult();
    }

    private static void Check(byte[] packet, string what)
    {
        foreach (bool prefix in new[] { false, true })
        {
            var status = DnsMessageParser.Parse(packet, prefix, out var message);
            Assert.True(status == DnsParseStatus.Parsed == (message is not null), what);
            if (message is null)
            {
                continue;
            }
            Assert.True(message.QuestionName.Length <= 4 * DnsMessageParser.MaxNameWireLength, what);
            Assert.True(message.Answers.Count <= DnsMessageParser.MaxAnswers, what);
            foreach (var answer in message.Answers)
            {
                Assert.True(answer.Name.Length <= 4 * DnsMessageParser.MaxNameWireLength, what);
                Assert.True((answer.Address is null) != (answer.Target is null), what);
            }
        }
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        int edits = random.Next(1, 6);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 2: bytes.RemoveRange(at, bytes.Count - at); break;                             // truncate
                case 3: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(8, bytes.Count - at))); break; // duplicate
                case 4: bytes[at] = (byte)(0xC0 | random.Next(4)); if (at + 1 < bytes.Count) bytes[at + 1] = (byte)random.Next(256); break; // pointer
                default: bytes[at] = (byte)random.Next(64); break;                                  // label length
            }
        }
        return [.. bytes];
    }

    private static byte[][] BuildSeeds()
    {
        var cname = new DnsPacketBuilder().Header(1, response: true, answers: 3).Question("www.example.test");
        int data = cname.Length + 12;
        cname.AnswerCname(12, "edge.cdn.test").AnswerA(data, IPAddress.Parse("198.51.100.9")).AnswerA(data, IPAddress.Parse("2001:db8::9"));
        return
        [
            DnsPacketBuilder.Query("a.b.example.test"),
            DnsPacketBuilder.Response("host.example.test", addresses: [IPAddress.Parse("198.51.100.1"), IPAddress.Parse("198.51.100.2")]),
            DnsPacketBuilder.Response("v6.example.test", addresses: [IPAddress.Parse("2001:db8::1")]),
            cname.ToArray(),
        ];
    }
}
