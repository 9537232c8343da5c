using System.Net;
using NetSentinel.Core.Identity;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Output;

/// <summary>
/// The records behind the example lines of docs/jsonl-schema.md, one per kind of line. SchemaDocumentTests
/// formats each with the real formatter and requires the document to show exactly that line.
/// </summary>
internal static class SchemaExamples
{
    private static readonly DateTimeOffset Time = SampleRecords.Time;

    /// <summary>curl started by sh (exited) started by bash, all three named, as the eBPF source knows them.</summary>
    private static ProcessInfo Curl(AttributionSource identifiedBy = AttributionSource.Kernel) => SampleRecords.Curl(identifiedBy) with
    {
        EntityId = "q3cX0dNn8Zb1kz2VwY4tJg",
        Start = Time.AddSeconds(-1.25),
        Args = ["curl", "-T", "big.tar", "https://198.51.100.2/upload"],
        ExecutableDevice = 66306,
        ExecutableInode = 1573249,
        CgroupPath = "/user.slice/user-1000.slice/session-3.scope",
        NetworkNamespace = 4026531840,
        Ancestry =
        [
            new ProcessInfo { Pid = 4100, Name = "sh", Executable = "/usr/bin/dash", CommandLine = "sh -c curl -T big.tar https://198.51.100.2/upload", EntityId = "Lw9b7mF2cR0aXh1sT5uKpA", Start = Time.AddSeconds(-1.3) },
            new ProcessInfo { Pid = 4000, Name = "bash", Executable = "/usr/bin/bash", EntityId = "mZ3nQ8vB6dC4eF1gH7jK2w", Start = Time.AddMinutes(-20) },
        ],
    };

    private static AlertRecord Alert(string rule, Severity severity, string message, double value, double threshold, string unit) => new()
    {
        Timestamp = Time,
        Source = "ebpf",
        Rule = rule,
        Severity = severity,
        Message = message,
        Process = Curl(),
        Value = value,
        Threshold = threshold,
        Unit = unit,
        Window = TimeSpan.FromSeconds(5),
        BaselineSamplesSeen = 3,
        BaselineSamplesRequired = 3,
    };

    private static ConnectionLogRecord Connection(ConnectionEventKind kind, Transport transport = Transport.Tcp, bool failed = false) =>
        new() { Timestamp = Time, Source = "ebpf", Event = SampleRecords.Connection(kind, transport, failed) with { Process = Curl() } };

    public static IReadOnlyDictionary<string, LogRecord> ByAction { get; } = new Dictionary<string, LogRecord>
    {
        ["high_send_rate"] = Alert("high_send_rate", Severity.High, "curl (pid 4242) sent 7500000 bytes/s over 5 s, above the threshold of 5000000 bytes/s", 7_500_000, 5_000_000, "bytes_per_second")
            with
        { HostBytesSentPerSecond = 7_612_345.5 },
        ["new_destination"] = Alert("new_destination", Severity.Medium, "curl (pid 4242) contacted 198.51.100.2:443/tcp, not seen before", 1, 0, "destination") with
        {
            Transport = Transport.Tcp,
            Local = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40312),
            Remote = new IPEndPoint(IPAddress.Parse("198.51.100.2"), 443),
        },
        ["scan"] = Alert("scan", Severity.Medium, "nc (pid 5150) reached 1 distinct hosts and 30 distinct ports in 60 s, threshold 30 ports; ports on 198.51.100.7: 21, 22, 23, 25, 53, 80, 110, 111, …", 30, 30, "distinct_ports") with
        {
            Process = new ProcessInfo
            {
                Pid = 5150, ParentPid = 1, Uid = 33, UserName = "www-data", Name = "nc", Executable = "/usr/bin/nc.openbsd", IdentifiedBy = AttributionSource.Kernel,
                CgroupPath = "/system.slice/docker-4f1c3e5b2a7d9c0e8f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d0e.scope",
                Container = CgroupPathParser.Parse("/system.slice/docker-4f1c3e5b2a7d9c0e8f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d0e.scope"),
            },
            Window = TimeSpan.FromSeconds(60),
            Transport = Transport.Tcp,
            Remote = new IPEndPoint(IPAddress.Parse("198.51.100.7"), 0),
            RelatedAddresses = [IPAddress.Parse("198.51.100.7")],
            Targets = ["21", "22", "23", "25", "53", "80", "110", "111"],
        },
        ["many_connections"] = Alert("many_connections", Severity.Medium, "python3 (pid 5150) holds 64 outbound connections, at or above the threshold of 50", 64, 50, "connections") with
        {
            Source = "poll",
            Process = new ProcessInfo { Pid = 5150, ParentPid = 1, Uid = 33, UserName = "www-data", Name = "python3", Executable = "/usr/bin/python3.13", CommandLine = "python3 /tmp/.x/fan.py", IdentifiedBy = AttributionSource.Proc },
            BaselineSamplesSeen = 2,
        },
        ["connection_opened"] = Connection(ConnectionEventKind.Opened),
        ["connection_closed"] = Connection(ConnectionEventKind.Closed),
        ["connection_failed"] = new ConnectionLogRecord
        {
            Timestamp = Time,
            Source = "ebpf",
            Event = SampleRecords.Connection(ConnectionEventKind.Closed, Transport.Tcp, failed: true) with
            {
                Process = Curl(),
                Local = new IPEndPoint(IPAddress.Parse("2001:db8::1"), 51000),
                Remote = new IPEndPoint(IPAddress.Parse("2001:db8::2"), 8443),
                BytesSent = 0,
                BytesReceived = 0,
                Duration = TimeSpan.FromMilliseconds(1003),
            },
        },
        ["udp_flow"] = new ConnectionLogRecord
        {
            Timestamp = Time,
            Source = "ebpf",
            Event = SampleRecords.Connection(ConnectionEventKind.Opened, Transport.Udp) with
            {
                Process = Curl(),
                Local = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 38001),
                Remote = new IPEndPoint(IPAddress.Parse("198.51.100.53"), 53),
                BytesSent = 42,
            },
        },
        ["connection_snapshot"] = new ConnectionSnapshotRecord
        {
            Timestamp = Time,
            Source = "snapshot",
            Connection = new ConnectionRecord
            {
                Transport = Transport.Tcp,
                Local = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40312),
                Remote = new IPEndPoint(IPAddress.Parse("198.51.100.2"), 443),
                State = "ESTABLISHED",
                Direction = Direction.Outbound,
                SocketId = 918273,
                BytesSent = 1_048_576,
                BytesReceived = 5120,
                Process = SampleRecords.Curl(),
            },
        },
        ["events_lost"] = SampleRecords.EventsLost(),
    };
}
