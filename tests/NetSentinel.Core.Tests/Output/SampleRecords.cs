using System.Net;
using NetSentinel.Core.Identity;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Output;

/// <summary>Fixed records for golden-output tests: every field set, times chosen to show the millisecond format.</summary>
internal static class SampleRecords
{
    public static readonly DateTimeOffset Time = new(2025, 3, 14, 15, 9, 26, 535, TimeSpan.FromHours(2));

    /// <summary>When the golden lines are written: 40 ms after <see cref="Time"/>.</summary>
    public static readonly DateTimeOffset WrittenAt = Time.AddMilliseconds(40);

    /// <summary>A formatter whose every output is fixed: host, version, clock, and event ids counting from 1.</summary>
    public static EcsJsonFormatter Formatter()
    {
        int next = 0;
        return new EcsJsonFormatter(
            new HostIdentity { Name = "sentinel-test" },
            new FixedClock(WrittenAt),
            () => $"test-{Interlocked.Increment(ref next)}",
            agentVersion: "0.2.0");
    }

    /// <summary>A formatter that writes the same record as the same bytes every time (one constant event.id), for comparing sinks with the formatter.</summary>
    public static EcsJsonFormatter SteadyFormatter() =>
        new(new HostIdentity { Name = "sentinel-test" }, new FixedClock(WrittenAt), () => "test-steady", agentVersion: "0.2.0");

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    public static ProcessInfo Curl(AttributionSource identifiedBy = AttributionSource.Proc) => new()
    {
        Pid = 4242,
        ParentPid = 4100,
        Uid = 1000,
        UserName = "alice",
        Name = "curl",
        Executable = "/usr/bin/curl",
        CommandLine = "curl -T big.tar https://198.51.100.2/upload",
        IdentifiedBy = identifiedBy,
    };

    public static AlertRecord HighSendRate() => new()
    {
        Timestamp = Time,
        Source = "poll",
        Rule = "high_send_rate",
        Severity = Severity.High,
        Message = "curl (pid 4242) sent 7500000 bytes/s, above 5000000 bytes/s over 5 s",
        Process = Curl(),
        Value = 7_500_000,
        Threshold = 5_000_000,
        Unit = "bytes_per_second",
        Window = TimeSpan.FromSeconds(5),
        HostBytesSentPerSecond = 7_612_345.5,
        EventsLostInWindow = 0,
        BaselineSamplesSeen = 3,
        BaselineSamplesRequired = 3,
    };

    public static ConnectionEvent Connection(ConnectionEventKind kind, Transport transport = Transport.Tcp, bool failed = false) => new()
    {
        Kind = kind,
        Timestamp = Time,
        ConnectionId = 77,
        Transport = transport,
        Local = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40312),
        Remote = new IPEndPoint(IPAddress.Parse("198.51.100.2"), 443),
        Process = Curl(AttributionSource.Kernel),
        BytesSent = kind == ConnectionEventKind.Opened ? 0 : 1_048_576,
        BytesReceived = kind == ConnectionEventKind.Opened ? 0 : 5120,
        Duration = kind == ConnectionEventKind.Closed ? TimeSpan.FromMilliseconds(1500.25) : TimeSpan.Zero,
        Failed = failed,
    };

    public static ConnectionLogRecord ConnectionRecord(ConnectionEvent connection) => new()
    {
        Timestamp = Time,
        Source = "ebpf",
        Event = connection,
    };

    public static EventsLostRecord EventsLost() => new()
    {
        Timestamp = Time,
        Source = "ebpf",
        Lost = 12,
        TotalLost = 40,
    };
}
