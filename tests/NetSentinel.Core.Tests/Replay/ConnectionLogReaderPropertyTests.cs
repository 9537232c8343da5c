using System.Net;
using System.Text;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;
using NetSentinel.Core.Output.Schema;
using NetSentinel.Core.Replay;

namespace NetSentinel.Core.Tests.Replay;

/// <summary>
/// The reader must accept everything the writer writes: every line the real <see cref="EcsJsonFormatter"/> produces
/// over generated events (every kind, with and without ports, IPv4, IPv6 and mapped addresses, unknown owners,
/// hostile strings) reads back as the event it recorded, and the other record types read back as ignored or a
/// loss counter, never as an error.
/// </summary>
public class ConnectionLogReaderPropertyTests
{
    private static readonly string[] Hostile =
    [
        "curl", "quote\"and\\backslash", "line\nbreak\r\n", "nul\0esc\u001b[31m", "bidi\u202Eexe.txt", "sep\u2028\u2029\u0085",
        "café 日本 😀", "}{\"injected\":true}", "", new string('x', 5000), "source.port", "{\"event\":{\"action\":\"udp_flow\"}}",
    ];

    private static readonly string[] Addresses =
    [
        "198.51.100.7", "198.18.0.1", "0.0.0.0", "255.255.255.255", "2001:db8::1", "2001:db8::ffff:1", "::", "::ffff:198.51.100.9", "fe80::1%3",
    ];

    [Fact]
    public void EveryConnectionLineTheFormatterWritesReadsBackAsItsEvent()
    {
        var random = new Random(20261130);
        var formatter = new EcsJsonFormatter("host\u202E");
        int[] perAction = new int[ConnectionActions.All.Count];
        for (int i = 0; i < 5000; i++)
        {
            ConnectionEvent written = Generate(random);
            var record = new ConnectionLogRecord { Timestamp = written.Timestamp, Source = random.Next(2) == 0 ? "ebpf" : "etw", Event = written };
            byte[] line = formatter.FormatLine(record);

            LoggedLine read = ConnectionLogReader.Read(line.AsMemory(0, line.Length - 1));

            Assert.Equal(record.Source, read.Source);
            Assert.Equal(Expected(written), read.Event);
            perAction[ConnectionActions.All.ToList().IndexOf(ConnectionActions.Of(written))]++;
        }
        Assert.All(perAction, count => Assert.True(count > 100, "every action must be generated"));
    }

    [Fact]
    public void AlertsSnapshotsAndLossLinesAreNeverErrors()
    {
        var formatter = new EcsJsonFormatter("h");
        var random = new Random(5);
        ConnectionEvent e = Generate(random);
        var alert = new AlertRecord
        {
            Timestamp = e.Timestamp, Source = "ebpf", Rule = "scan", Severity = Severity.High, Message = Hostile[3], Process = e.Process,
            Value = double.NaN, Threshold = 1, Unit = "connections", Window = TimeSpan.FromSeconds(60), Remote = e.Remote, Local = e.Local, Transport = e.Transport,
            Targets = Hostile,
        };
        var snapshot = new ConnectionSnapshotRecord
        {
            Timestamp = e.Timestamp, Source = "snapshot",
            Connection = new ConnectionRecord { Transport = e.Transport, Local = e.Local, Remote = e.Remote, State = "ESTABLISHED", Direction = Direction.Outbound, Process = e.Process },
        };
        var lost = new EventsLostRecord { Timestamp = e.Timestamp, Source = "ebpf", Lost = 3, TotalLost = 42 };

        Assert.True(ReadBack(formatter, alert).IsIgnored);
        Assert.True(ReadBack(formatter, snapshot).IsIgnored);
        Assert.Equal(42, ReadBack(formatter, lost).TotalLost);
    }

    private static LoggedLine ReadBack(EcsJsonFormatter formatter, LogRecord record) =>
        ConnectionLogReader.Read(Encoding.UTF8.GetString(formatter.FormatLine(record)).TrimEnd('\n'));

    /// <summary>What the line can say: the writer keeps milliseconds, unmaps IPv4-mapped addresses, drops scope ids, ports of 0 and an unspecified source address.</summary>
    private static ConnectionEvent Expected(ConnectionEvent written) => written with
    {
        Timestamp = new DateTimeOffset(written.Timestamp.UtcTicks - written.Timestamp.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero),
        // An unspecified source address (unbound socket) is left out and reads back as 0.0.0.0.
        Local = EcsJsonFormatter.WithoutMapping(written.Local) is { } local && (local.Address.Equals(IPAddress.Any) || local.Address.Equals(IPAddress.IPv6Any))
            ? new IPEndPoint(IPAddress.Any, local.Port)
            : EcsJsonFormatter.WithoutMapping(written.Local),
        Remote = EcsJsonFormatter.WithoutMapping(written.Remote),
        Duration = written.Kind == ConnectionEventKind.Closed ? written.Duration : TimeSpan.Zero,
        Failed = written.Kind == ConnectionEventKind.Closed && written.Failed,
        CloseInferred = written.Kind == ConnectionEventKind.Closed && written.CloseInferred,
        Process = written.Process.Pid > 0 ? written.Process : ProcessInfo.Unknown with { IdentifiedBy = written.Process.IdentifiedBy },
    };

    private static ConnectionEvent Generate(Random random)
    {
        var kind = (ConnectionEventKind)random.Next(4);
        var transport = kind == ConnectionEventKind.Resumed || random.Next(2) == 0 ? Transport.Udp : Transport.Tcp;
        bool known = random.Next(5) > 0;
        string Pick() => Hostile[random.Next(Hostile.Length)];
        var process = known
            ? new ProcessInfo
            {
                Pid = random.Next(1, int.MaxValue),
                ParentPid = random.Next(3) == 0 ? 0 : random.Next(1, int.MaxValue),
                Uid = random.Next(3) == 0 ? -1 : random.Next(0, int.MaxValue),
                UserName = random.Next(3) == 0 ? null : Pick(),
                Name = Pick(),
                Executable = random.Next(3) == 0 ? null : "/usr/bin/" + Pick(),
                CommandLine = random.Next(3) == 0 ? null : Pick() + " " + Pick(),
                IdentifiedBy = (AttributionSource)random.Next(Enum.GetValues<AttributionSource>().Length),
            }
            : ProcessInfo.Unknown with { IdentifiedBy = random.Next(2) == 0 ? AttributionSource.Unknown : AttributionSource.Kernel };
        return new ConnectionEvent
        {
            Kind = kind,
            Timestamp = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks((long)(random.NextDouble() * 2.2e18)),
            ConnectionId = (ulong)random.NextInt64() * (ulong)random.Next(1, 3),
            Transport = transport,
            Local = new IPEndPoint(IPAddress.Parse(Addresses[random.Next(Addresses.Length)]), random.Next(3) == 0 ? 0 : random.Next(1, 65536)),
            Remote = new IPEndPoint(IPAddress.Parse(Addresses[random.Next(Addresses.Length)]), random.Next(4) == 0 ? 0 : random.Next(1, 65536)),
            Process = process,
            BytesSent = random.Next(3) == 0 ? 0 : random.NextInt64(0, long.MaxValue / 2),
            BytesReceived = random.Next(3) == 0 ? 0 : random.NextInt64(0, long.MaxValue / 2),
            Duration = TimeSpan.FromTicks(random.NextInt64(0, TimeSpan.FromDays(3650).Ticks)),
            Failed = random.Next(2) == 0,
            CloseInferred = random.Next(2) == 0,
        };
    }
}
