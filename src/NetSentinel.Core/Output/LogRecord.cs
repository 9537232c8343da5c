using NetSentinel.Core.Model;

namespace NetSentinel.Core.Output;

/// <summary>One line of the JSON Lines log. The concrete type decides <c>event.kind</c> and <c>event.action</c>.</summary>
public abstract record LogRecord
{
    public required DateTimeOffset Timestamp { get; init; }
    /// <summary>The source that produced the data ("ebpf", "poll", "snapshot", "etw").</summary>
    public required string Source { get; init; }
}

/// <summary>
/// A detector's finding (<c>event.kind: "alert"</c>). Every alert states its value, the threshold it
/// crossed and the window it was measured over.
/// </summary>
public sealed record AlertRecord : LogRecord
{
    /// <summary>Rule name: high_send_rate, new_destination, many_connections, ...</summary>
    public required string Rule { get; init; }
    public required Severity Severity { get; init; }
    public required string Message { get; init; }
    public required ProcessInfo Process { get; init; }
    public required double Value { get; init; }
    public required double Threshold { get; init; }
    /// <summary>Unit of Value and Threshold: "bytes_per_second", "connections", "destination".</summary>
    public required string Unit { get; init; }
    public required TimeSpan Window { get; init; }
    /// <summary>The destination the alert is about, when it is about one.</summary>
    public Transport? Transport { get; init; }
    public System.Net.IPEndPoint? Local { get; init; }
    public System.Net.IPEndPoint? Remote { get; init; }
    /// <summary>Names known for <see cref="Remote"/> (destination.domain, net_sentinel.domains); null when none is.</summary>
    public Dns.DomainNames? Names { get; init; }
    /// <summary>Alerts about a DNS query (blocklisted name, dns_tunnel): the name asked (dns.question.name).</summary>
    public string? QueriedName { get; init; }
    /// <summary>Host-wide bytes/second sent over all interfaces in the window (/proc/net/dev), when measured.</summary>
    public double? HostBytesSentPerSecond { get; init; }
    /// <summary>Events the source counted lost during the alert's window.</summary>
    public long EventsLostInWindow { get; init; }
    /// <summary>Completed baseline intervals and how many are needed; equal once the baseline is mature.</summary>
    public int BaselineSamplesSeen { get; init; }
    public int BaselineSamplesRequired { get; init; }
    /// <summary>beacon: the median gap between connections, in seconds.</summary>
    public double? PeriodSeconds { get; init; }
    /// <summary>beacon: connections observed to the destination.</summary>
    public long? Observations { get; init; }
    /// <summary>Other addresses the alert is about (scan: the hosts reached), written to <c>related.ip</c>.</summary>
    public IReadOnlyList<System.Net.IPAddress>? RelatedAddresses { get; init; }
    /// <summary>scan: a sample of the targets reached (addresses or ports, as text).</summary>
    public IReadOnlyList<string>? Targets { get; init; }
    /// <summary>exfiltration: bytes sent to and received from the destination within the window.</summary>
    public long? WindowBytesSent { get; init; }
    public long? WindowBytesReceived { get; init; }
    /// <summary>When the activity the alert is about began, if earlier than the alert (a sweep's first target); null = at the alert.</summary>
    public DateTimeOffset? ActivityStart { get; init; }
    /// <summary>Whether no program on this host had reached the destination before (<c>net_sentinel.first_seen_on_host</c>); null when not judged.</summary>
    public bool? FirstSeenOnHost { get; init; }
    /// <summary>The incident this line belongs to; set by the pipeline when it writes the line.</summary>
    public IncidentFacts? Incident { get; init; }
    /// <summary>many_connections made of failed attempts: what a sweep looks like before it crosses a scan threshold.
    /// Its opening waits one interval, so a scan that follows folds it in (not written: the incident says it).</summary>
    public bool MayPrecedeScan { get; init; }
}

/// <summary>
/// A logged connection (<c>event.kind: "event"</c>), written only with --log-connections:
/// action connection_opened, connection_closed, connection_failed, or udp_flow.
/// </summary>
public sealed record ConnectionLogRecord : LogRecord
{
    public required ConnectionEvent Event { get; init; }

    /// <summary>The line's event.action, from the one table the replay reader also reads (<see cref="Schema.ConnectionActions"/>).</summary>
    public string Action => Schema.ConnectionActions.Of(Event).Name;
}

/// <summary>Events the source lost (<c>event.action: "events_lost"</c>): loss is never silent.</summary>
public sealed record EventsLostRecord : LogRecord
{
    /// <summary>Lost since the previous events_lost line.</summary>
    public required long Lost { get; init; }
    /// <summary>Lost since the monitor started.</summary>
    public required long TotalLost { get; init; }
}

/// <summary>
/// A DNS query or answer (<c>event.action</c> dns_query / dns_answer), written only with --log-connections.
/// </summary>
public sealed record DnsLogRecord : LogRecord
{
    public required Dns.DnsEvent Event { get; init; }
    public required Dns.DnsMessage Message { get; init; }

    public const string QueryAction = "dns_query";
    public const string AnswerAction = "dns_answer";

    public string Action => Message.IsResponse ? AnswerAction : QueryAction;
}
