namespace NetSentinel.Core.Output.Schema;

/// <summary>
/// The fields of a JSON log line that are written by <see cref="EcsJsonFormatter"/> and read back by the
/// replay reader (docs/jsonl-schema.md documents them all). Both sides name a field only through this
/// table, so they cannot disagree about where it lives; add a row here when a new field is to be read back.
/// </summary>
public static class LogFields
{
    public static readonly LogField Timestamp = new("@timestamp");

    public static readonly LogField EventKind = new("event.kind");
    public static readonly LogField EventAction = new("event.action");
    /// <summary>Nanoseconds (ECS); closes only.</summary>
    public static readonly LogField EventDuration = new("event.duration");

    public static readonly LogField ProcessPid = new("process.pid");
    public static readonly LogField ProcessName = new("process.name");
    public static readonly LogField ProcessExecutable = new("process.executable");
    public static readonly LogField ProcessCommandLine = new("process.command_line");
    public static readonly LogField ProcessParentPid = new("process.parent.pid");
    /// <summary>ECS keyword: the uid as a string.</summary>
    public static readonly LogField UserId = new("user.id");
    public static readonly LogField UserName = new("user.name");

    /// <summary>This host's end. The port is left out while it is not known (0).</summary>
    public static readonly LogField SourceIp = new("source.ip");
    public static readonly LogField SourcePort = new("source.port");
    public static readonly LogField SourceBytes = new("source.bytes");
    /// <summary>The peer. The port is left out when it is 0.</summary>
    public static readonly LogField DestinationIp = new("destination.ip");
    public static readonly LogField DestinationPort = new("destination.port");
    public static readonly LogField DestinationBytes = new("destination.bytes");
    public static readonly LogField NetworkTransport = new("network.transport");

    public static readonly LogField SchemaVersion = new("net_sentinel.schema_version");
    public static readonly LogField Source = new("net_sentinel.source");
    public static readonly LogField Attribution = new("net_sentinel.attribution");
    public static readonly LogField ConnectionId = new("net_sentinel.connection_id");
    /// <summary>Closes only: the TCP handshake never completed.</summary>
    public static readonly LogField Failed = new("net_sentinel.failed");
    /// <summary>Closes only, written only when true: no close was seen, the source inferred the end (duration and totals are as observed until then).</summary>
    public static readonly LogField CloseInferred = new("net_sentinel.close_inferred");
    /// <summary>events_lost lines: lost since the monitor started.</summary>
    public static readonly LogField TotalLost = new("net_sentinel.total_lost");

    /// <summary>Connection lines: the name the process resolved to the destination, when known.</summary>
    public static readonly LogField DestinationDomain = new("destination.domain");
    /// <summary>Connection lines: other names known for the destination (an array of strings), when there are any.</summary>
    public static readonly LogField Domains = new("net_sentinel.domains");

    /// <summary>dns_query / dns_answer lines: "query" or "answer".</summary>
    public static readonly LogField DnsType = new("dns.type");
    /// <summary>The message id, a number in a string.</summary>
    public static readonly LogField DnsId = new("dns.id");
    public static readonly LogField DnsQuestionName = new("dns.question.name");
    /// <summary>"A", "AAAA", ... or "TYPE&lt;n&gt;".</summary>
    public static readonly LogField DnsQuestionType = new("dns.question.type");
    /// <summary>Answers only: "NOERROR", "NXDOMAIN", ... or "RCODE&lt;n&gt;".</summary>
    public static readonly LogField DnsResponseCode = new("dns.response_code");
    /// <summary>Answers only: an array of objects with <see cref="AnswerName"/>, <see cref="AnswerType"/>, <see cref="AnswerTtl"/>, <see cref="AnswerData"/>.</summary>
    public static readonly LogField DnsAnswers = new("dns.answers");
    public static readonly LogField AnswerName = new("name");
    public static readonly LogField AnswerType = new("type");
    public static readonly LogField AnswerTtl = new("ttl");
    public static readonly LogField AnswerData = new("data");
    /// <summary>Written only when true: the answer section ran past the captured prefix.</summary>
    public static readonly LogField DnsTruncated = new("net_sentinel.dns_truncated");
}
