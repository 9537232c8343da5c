using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;
using NetSentinel.Core.Replay;

namespace NetSentinel.Core.Tests.Replay;

/// <summary>
/// Mutated lines (bytes flipped, cut, duplicated, spliced from another line) must give a line, an ignored line or a
/// <see cref="LogLineException"/> naming what is wrong — never any other exception, and never a hang. A whole log
/// of mutated lines replays to the end with the bad ones counted.
/// </summary>
public class ConnectionLogReaderFuzzTests
{
    private static readonly byte[][] Seeds = SeedLines();

    private static readonly byte[] JsonPunctuation = "{}[]\":,0-eE.\\u"u8.ToArray();

    [Fact]
    public void MutatedLinesNeverThrowAnythingButALineError()
    {
        var random = new Random(424242);
        int errors = 0;
        for (int i = 0; i < 30_000; i++)
        {
            byte[] line = Mutate(Seeds[random.Next(Seeds.Length)], random);
            try
            {
                ConnectionLogReader.Read(line);
            }
            catch (LogLineException problem)
            {
                errors++;
                Assert.DoesNotContain('\n', problem.Message);
                Assert.False(string.IsNullOrWhiteSpace(problem.Message));
            }
        }
        Assert.InRange(errors, 1_000, 29_999);
    }

    [Fact]
    public void AMutatedLogReplaysToTheEndCountingItsBadLines()
    {
        var random = new Random(99);
        using var log = new MemoryStream();
        for (int i = 0; i < 3_000; i++)
        {
            byte[] seed = Seeds[random.Next(Seeds.Length)];
            log.Write(random.Next(3) == 0 ? Mutate(seed, random) : seed);
            log.WriteByte((byte)'\n');
        }
        log.Position = 0;
        var replay = new ConnectionLogReplay(new Core.Configuration.MonitorConfig(), new Detection.CollectingSink());

        replay.Run(log, "fuzz.jsonl");

        Assert.True(replay.LinesRead >= 3_000);
        Assert.True(replay.BadLines > 0);
        Assert.True(replay.EventsReplayed > 1_500);
        Assert.Equal(ConnectionLogReplay.ProblemsKept, replay.Problems.Count);
        Assert.All(replay.Problems, p => Assert.StartsWith("fuzz.jsonl:", p));
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        int edits = random.Next(1, 6);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes.RemoveRange(at, bytes.Count - at); break;
                case 2: bytes.RemoveAt(at); break;
                case 3: bytes.Insert(at, JsonPunctuation[random.Next(JsonPunctuation.Length)]); break;
                case 4: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(20, bytes.Count - at))); break;
                case 5:
                    byte[] other = Seeds[random.Next(Seeds.Length)];
                    int from = random.Next(other.Length);
                    bytes.InsertRange(at, other.AsSpan(from, Math.Min(30, other.Length - from)).ToArray());
                    break;
                default: bytes[at] ^= (byte)(1 << random.Next(8)); break;
            }
        }
        return [.. bytes];
    }

    /// <summary>Real lines of every connection action, an alert and a loss line, written by the real formatter.</summary>
    private static byte[][] SeedLines()
    {
        var formatter = new EcsJsonFormatter("fuzz");
        var process = new ProcessInfo { Pid = 7, ParentPid = 1, Uid = 0, UserName = "root", Name = "curl", Executable = "/usr/bin/curl", CommandLine = "curl -s x", IdentifiedBy = AttributionSource.Kernel };
        var start = new DateTimeOffset(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);
        var lines = new List<byte[]>();
        foreach (var (kind, transport, failed, remote) in new[]
        {
            (ConnectionEventKind.Opened, Transport.Tcp, false, "198.51.100.9"), (ConnectionEventKind.Opened, Transport.Udp, false, "2001:db8::9"),
            (ConnectionEventKind.Resumed, Transport.Udp, false, "198.51.100.9"), (ConnectionEventKind.Closed, Transport.Tcp, false, "198.51.100.9"),
            (ConnectionEventKind.Closed, Transport.Tcp, true, "2001:db8::9"),
        })
        {
            var e = new ConnectionEvent
            {
                Kind = kind, Timestamp = start.AddSeconds(lines.Count), ConnectionId = (ulong)lines.Count + 1, Transport = transport,
                Local = new IPEndPoint(IPAddress.Parse(remote.Contains(':') ? "2001:db8::1" : "198.51.100.1"), lines.Count % 2 == 0 ? 0 : 40000),
                Remote = new IPEndPoint(IPAddress.Parse(remote), 443), Process = process, BytesSent = 10, BytesReceived = 20,
                Duration = TimeSpan.FromSeconds(2), Failed = failed,
            };
            lines.Add(formatter.FormatLine(new ConnectionLogRecord { Timestamp = e.Timestamp, Source = "ebpf", Event = e })[..^1]);
        }
        lines.Add(formatter.FormatLine(new EventsLostRecord { Timestamp = start, Source = "ebpf", Lost = 1, TotalLost = 2 })[..^1]);
        return [.. lines];
    }
}
