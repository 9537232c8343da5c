using System.Net;
using System.Text;
using NetSentinel.Core.Dns;
using NetSentinel.Core.Identity;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Output;

/// <summary>
/// A connection line's flow segments come from the line before when the flow is the same (FlowJsonCache); these hold
/// every such line to the bytes its record gets from a formatter that never saw the flow.
/// </summary>
public sealed class FlowJsonCacheTests
{
    private static readonly DateTimeOffset Time = new(2025, 3, 14, 13, 9, 26, 535, TimeSpan.Zero);

    [Fact]
    public void EveryConnectionLineIsTheLineItsRecordGetsAloneWhateverTheCacheHeld()
    {
        // Two long-lived formatters with different hosts take turns on this thread (the cache is per thread), each line
        // compared with a new formatter's (nothing cached for it). The records: flows whose ids share slots (256 apart)
        // or repeat with another five-tuple, a local port that appears later, processes replaced by a new instance
        // (renamed, another user, none), names appearing, changing and too long to cache, both transports and families,
        // an unspecified local address, the source's name changing, opened, closed and failed lines with and without bytes.
        EcsJsonFormatter[] formatters = [Steady("sentinel-test"), Steady("sentinel-other")];
        var random = new Random(15);
        ProcessInfo curl = SampleRecords.Curl(AttributionSource.Kernel);
        ProcessInfo[] processes =
        [
            curl,
            curl with { Name = "curl2" },
            curl with { UserName = null },
            curl with { Pid = 5151, Name = "other\"name", UserName = "bob" },
            SampleRecords.Curl(AttributionSource.Proc),
        ];
        var longNames = new DomainNames("a.example.com", [.. Enumerable.Range(0, 60).Select(i => $"name-{i}.long-list.example.org")]);
        DomainNames?[] names = [null, new DomainNames("www.example.com", []), new DomainNames("api.example.co.uk", ["cdn.example.net", "x.example.org"]), longNames];
        string[] locals = ["198.51.100.1", "::ffff:198.51.100.1", "0.0.0.0", "2001:db8::1"];
        string[] remotes = ["198.51.100.2", "198.51.100.3", "2001:db8::2", "::ffff:198.51.100.2"];

        ConnectionLogRecord Random()
        {
            var kind = random.Next(3) == 0 ? ConnectionEventKind.Opened : ConnectionEventKind.Closed;
            bool v6 = random.Next(4) == 0;
            var connection = new ConnectionEvent
            {
                Kind = kind,
                Timestamp = Time.AddMilliseconds(random.Next(100_000)),
                ConnectionId = (ulong)(random.Next(0, 3) * 256 + random.Next(0, 4)),
                Transport = random.Next(4) == 0 ? Transport.Udp : Transport.Tcp,
                Local = new IPEndPoint(IPAddress.Parse(v6 ? locals[3] : locals[random.Next(3)]), random.Next(3) == 0 ? 0 : 40000 + random.Next(2)),
                Remote = new IPEndPoint(IPAddress.Parse(remotes[v6 ? 2 : random.Next(4) == 0 ? 3 : random.Next(2)]), 443),
                Process = processes[random.Next(processes.Length)],
                Names = names[random.Next(names.Length)],
                BytesSent = random.Next(3) == 0 ? -1 : random.Next(0, 100_000),
                BytesReceived = random.Next(3) == 0 ? -1 : random.Next(0, 100_000),
                Duration = kind == ConnectionEventKind.Closed ? TimeSpan.FromMilliseconds(random.Next(0, 5000)) : TimeSpan.Zero,
                Failed = kind == ConnectionEventKind.Closed && random.Next(4) == 0,
            };
            return new ConnectionLogRecord { Timestamp = connection.Timestamp, Source = random.Next(8) == 0 ? "poll" : "ebpf", Event = connection };
        }

        // The next line of the same flow as it is, or with one thing about it changed (one of them a slot's other flow).
        ConnectionLogRecord Next(ConnectionLogRecord record)
        {
            ConnectionEvent e = record.Event;
            ConnectionEvent next = random.Next(14) switch
            {
                0 => e with { ConnectionId = e.ConnectionId + 256 },
                1 => e with { Transport = e.Transport == Transport.Tcp ? Transport.Udp : Transport.Tcp },
                2 => e with { Local = new IPEndPoint(e.Local.Address, e.Local.Port == 0 ? 40001 : e.Local.Port + 1) },
                3 => e with { Remote = new IPEndPoint(IPAddress.Parse(e.Remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "2001:db8::3" : "198.51.100.4"), e.Remote.Port) },
                4 => e with { Remote = new IPEndPoint(e.Remote.Address, e.Remote.Port + 1) },
                5 => e with { Process = processes[(Array.IndexOf(processes, e.Process) + 1) % processes.Length] },
                6 => e with { Names = names[(Array.IndexOf(names, e.Names) + 1) % names.Length] },
                7 => e with { Local = new IPEndPoint(IPAddress.Parse(e.Local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "2001:db8::5" : "198.51.100.5"), e.Local.Port) },
                _ => e with { Kind = ConnectionEventKind.Closed, BytesSent = random.Next(0, 100_000), Duration = TimeSpan.FromMilliseconds(random.Next(0, 5000)) },
            };
            string source = random.Next(10) == 0 ? (record.Source == "ebpf" ? "poll" : "ebpf") : record.Source;
            return record with { Event = next, Source = source };
        }

        var sequence = new List<(int Formatter, ConnectionLogRecord Record)>();
        for (int i = 0; i < 3000; i++)
        {
            ConnectionLogRecord record = Random();
            int which = random.Next(2);
            for (int n = 0; n < 3; n++, record = Next(record))
            {
                which = random.Next(5) == 0 ? 1 - which : which; // now and then the other formatter, same flow
                sequence.Add((which, record));
            }
        }
        // Each record alone, on a thread of its own (the cache is per thread: here it would take the slots).
        var alone = new string[sequence.Count];
        var thread = new Thread(() =>
        {
            for (int i = 0; i < sequence.Count; i++)
            {
                alone[i] = Encoding.UTF8.GetString(Steady(sequence[i].Formatter == 0 ? "sentinel-test" : "sentinel-other").FormatLine(sequence[i].Record));
            }
        });
        thread.Start();
        thread.Join();

        long hits = FlowJsonCache.Current.Hits;
        for (int i = 0; i < sequence.Count; i++)
        {
            string written = Encoding.UTF8.GetString(formatters[sequence[i].Formatter].FormatLine(sequence[i].Record));

            Assert.Equal(alone[i], written);
        }
        Assert.InRange(FlowJsonCache.Current.Hits - hits, sequence.Count / 20, sequence.Count); // the cache was used
    }

    [Fact]
    public void AFlowsCloseReusesItsOpensSegmentsAndALongOneIsNotKept()
    {
        var formatter = Steady("sentinel-test");
        var opened = SampleRecords.Connection(ConnectionEventKind.Opened) with { ConnectionId = 4242 };
        var closed = SampleRecords.Connection(ConnectionEventKind.Closed) with { ConnectionId = 4242, Local = opened.Local, Remote = opened.Remote, Process = opened.Process };

        formatter.FormatLine(SampleRecords.ConnectionRecord(opened));
        long hits = FlowJsonCache.Current.Hits;
        formatter.FormatLine(SampleRecords.ConnectionRecord(closed));
        Assert.Equal(hits + 1, FlowJsonCache.Current.Hits);

        // Another formatter (another host) on the same thread gets its own segments for the same flow.
        var other = Steady("sentinel-other");
        byte[] otherClose = other.FormatLine(SampleRecords.ConnectionRecord(closed));
        Assert.Contains("\"host\":{\"name\":\"sentinel-other\"}", Encoding.UTF8.GetString(otherClose));

        // Segments past the slot's size are formatted every time, and still right.
        var names = new DomainNames("a.example.com", [.. Enumerable.Range(0, 60).Select(i => $"name-{i}.long-list.example.org")]);
        var longOpened = opened with { Names = names };
        var longClosed = closed with { Names = names };
        formatter.FormatLine(SampleRecords.ConnectionRecord(longOpened));
        hits = FlowJsonCache.Current.Hits;
        byte[] line = formatter.FormatLine(SampleRecords.ConnectionRecord(longClosed));
        Assert.Equal(hits, FlowJsonCache.Current.Hits);
        Assert.Equal(Steady("sentinel-test").FormatLine(SampleRecords.ConnectionRecord(longClosed)), line);
    }

    private static EcsJsonFormatter Steady(string host) =>
        new(new HostIdentity { Name = host }, new FixedClock(Time.AddMilliseconds(40)), () => "test-steady", agentVersion: "0.2.0");

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
