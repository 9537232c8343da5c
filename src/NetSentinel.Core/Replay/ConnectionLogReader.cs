using System.Globalization;
using System.Net;
using System.Text.Json;
using NetSentinel.Core.Dns;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;
using NetSentinel.Core.Output.Schema;

namespace NetSentinel.Core.Replay;

/// <summary>
/// Turns one line of the JSON Lines log (docs/jsonl-schema.md) back into the event it recorded, finding every
/// field through <see cref="LogFields"/> and every action through <see cref="ConnectionActions"/> — the tables
/// <see cref="Output.EcsJsonFormatter"/> writes with. Connection lines become events (with the names the live run
/// knew for the destination); dns_query/dns_answer lines become the DNS events they recorded; events_lost lines give the
/// loss counter; alerts, snapshot rows and lines of kinds or actions replay has no use for are
/// <see cref="LoggedLine.Ignored"/>. A line that claims to be a connection line but is not a valid one is an
/// error naming the field.
/// </summary>
public static class ConnectionLogReader
{
    /// <summary>Nesting beyond this is not a line the formatter wrote (it nests three deep).</summary>
    private const int MaxDepth = 16;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = MaxDepth };

    /// <summary>Times a replay can follow: a detector window or cooldown added to or taken from one must stay a valid date.</summary>
    public static readonly DateTimeOffset Earliest = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset Latest = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <exception cref="LogLineException">The line is not JSON, or a connection line lacks a field or holds a bad value.</exception>
    public static LoggedLine Read(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return Read(System.Text.Encoding.UTF8.GetBytes(line));
    }

    /// <summary>Reads one line of UTF-8 (without its newline).</summary>
    /// <exception cref="LogLineException">The line is not JSON, or a connection line lacks a field or holds a bad value.</exception>
    public static LoggedLine Read(ReadOnlyMemory<byte> line)
    {
        if (line.Span.Trim(" \t\r"u8).IsEmpty)
        {
            return LoggedLine.Ignored;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, Options);
        }
        catch (JsonException ex)
        {
            throw new LogLineException(null, $"not a JSON line ({ex.Message.ReplaceLineEndings(" ")})");
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new LogLineException(null, "not a JSON object");
            }
            DateTimeOffset timestamp = Timestamp(root);
            string kind = Text(root, LogFields.EventKind);
            string action = Text(root, LogFields.EventAction);
            string source = OptionalText(root, LogFields.Source) ?? "replay";
            if (kind == "metric" && action == "events_lost")
            {
                return new LoggedLine(timestamp, source, null, NonNegative(root, LogFields.TotalLost));
            }
            if (kind == "event" && action is DnsLogRecord.QueryAction or DnsLogRecord.AnswerAction)
            {
                return new LoggedLine(timestamp, source, null, null, DnsEventOf(root, timestamp, answer: action == DnsLogRecord.AnswerAction));
            }
            if (kind != "event" || ConnectionActions.Find(action) is not { } row)
            {
                return LoggedLine.Ignored;
            }
            string? transportName = Text(root, LogFields.NetworkTransport);
            if (!TransportNames.TryParse(transportName, out Transport transport))
            {
                throw new LogLineException(LogFields.NetworkTransport, $"must be \"tcp\" or \"udp\" (got \"{transportName}\")");
            }
            if (row.Transport is { } implied && implied != transport)
            {
                throw new LogLineException(LogFields.NetworkTransport, $"\"{action}\" is a {TransportNames.Of(implied)} action but the line says {TransportNames.Of(transport)}");
            }
            var connectionEvent = new ConnectionEvent
            {
                Kind = row.Kind,
                Timestamp = timestamp,
                ConnectionId = ConnectionIdOf(root),
                Transport = transport,
                Local = Endpoint(root, LogFields.SourceIp, LogFields.SourcePort),
                Remote = Endpoint(root, LogFields.DestinationIp, LogFields.DestinationPort),
                Process = Process(root),
                BytesSent = OptionalNonNegative(root, LogFields.SourceBytes) ?? 0,
                BytesReceived = OptionalNonNegative(root, LogFields.DestinationBytes) ?? 0,
                Duration = row.Kind == ConnectionEventKind.Closed && OptionalNonNegative(root, LogFields.EventDuration) is { } nanoseconds
                    ? TimeSpan.FromTicks(nanoseconds / 100)
                    : TimeSpan.Zero,
                Failed = row.Failed,
                CloseInferred = row.Kind == ConnectionEventKind.Closed && OptionalBoolean(root, LogFields.CloseInferred),
                Names = NamesOf(root),
            };
            return new LoggedLine(timestamp, source, connectionEvent, null);
        }
    }


    /// <summary>destination.domain and net_sentinel.domains as the live run wrote them; null when the line has no name.</summary>
    private static DomainNames? NamesOf(JsonElement root)
    {
        if (OptionalText(root, LogFields.DestinationDomain) is not { } domain)
        {
            return null;
        }
        var others = new List<string>();
        if (LogFields.Domains.TryFind(root, out _))
        {
            JsonElement list = Required(root, LogFields.Domains, JsonValueKind.Array);
            if (list.GetArrayLength() > DnsNameCache.MaxNamesPerEntry)
            {
                throw new LogLineException(LogFields.Domains, $"more than {DnsNameCache.MaxNamesPerEntry} names; not a line net-sentinel writes");
            }
            foreach (JsonElement name in list.EnumerateArray())
            {
                others.Add(name.ValueKind == JsonValueKind.String ? name.GetString()! : throw new LogLineException(LogFields.Domains, "must hold strings"));
            }
        }
        return new DomainNames(domain, others);
    }

    /// <summary>A dns_query or dns_answer line back into the DNS event (the message as parsed live: question, RCODE,
    /// A/AAAA/CNAME answers with their TTLs); the server and this host's end when the line has them.</summary>
    private static DnsEvent DnsEventOf(JsonElement root, DateTimeOffset timestamp, bool answer)
    {
        string dnsType = Text(root, LogFields.DnsType);
        if (dnsType != (answer ? "answer" : "query"))
        {
            throw new LogLineException(LogFields.DnsType, $"\"{dnsType}\" does not match the action");
        }
        string idText = Text(root, LogFields.DnsId);
        if (!ushort.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out ushort id))
        {
            throw new LogLineException(LogFields.DnsId, $"must be a number from 0 to 65535 in a string (got \"{idText}\")");
        }
        int responseCode = 0;
        if (answer)
        {
            string code = Text(root, LogFields.DnsResponseCode);
            if (!DnsRecordTypeText.TryParseResponseCode(code, out responseCode))
            {
                throw new LogLineException(LogFields.DnsResponseCode, $"not a response code (got \"{code}\")");
            }
        }
        var message = new DnsMessage
        {
            Id = id,
            IsResponse = answer,
            ResponseCode = responseCode,
            QuestionName = Text(root, LogFields.DnsQuestionName),
            QuestionType = RecordType(root, LogFields.DnsQuestionType),
            Answers = answer ? Answers(root) : [],
            Complete = !OptionalBoolean(root, LogFields.DnsTruncated),
        };
        // The writer leaves the endpoints out when the source names no server (ETW).
        bool endpoints = LogFields.DestinationIp.TryFind(root, out _);
        Transport transport = Transport.Udp;
        if (OptionalText(root, LogFields.NetworkTransport) is { } transportName && !TransportNames.TryParse(transportName, out transport))
        {
            throw new LogLineException(LogFields.NetworkTransport, $"must be \"tcp\" or \"udp\" (got \"{transportName}\")");
        }
        return new DnsEvent
        {
            Timestamp = timestamp,
            Process = Process(root),
            Transport = transport,
            Server = endpoints ? Endpoint(root, LogFields.DestinationIp, LogFields.DestinationPort) : null,
            Local = endpoints ? Endpoint(root, LogFields.SourceIp, LogFields.SourcePort) : null,
            Message = message,
        };
    }

    private static List<DnsAnswer> Answers(JsonElement root)
    {
        JsonElement list = Required(root, LogFields.DnsAnswers, JsonValueKind.Array);
        if (list.GetArrayLength() > DnsMessageParser.MaxAnswers)
        {
            throw new LogLineException(LogFields.DnsAnswers, $"more than {DnsMessageParser.MaxAnswers} answers; not a line net-sentinel writes");
        }
        var answers = new List<DnsAnswer>();
        int index = 0;
        foreach (JsonElement item in list.EnumerateArray())
        {
            index++;
            try
            {
                string name = Text(item, LogFields.AnswerName);
                DnsRecordType type = RecordType(item, LogFields.AnswerType);
                JsonElement ttl = Required(item, LogFields.AnswerTtl, JsonValueKind.Number);
                if (!ttl.TryGetUInt32(out uint seconds))
                {
                    throw new LogLineException(LogFields.AnswerTtl, $"must be a whole number of seconds (got {ttl.GetRawText()})");
                }
                string data = Text(item, LogFields.AnswerData);
                answers.Add(type switch
                {
                    DnsRecordType.A or DnsRecordType.Aaaa when IPAddress.TryParse(data, out IPAddress? address) && !data.Contains('%', StringComparison.Ordinal) &&
                        (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) == (type == DnsRecordType.A)
                        => new DnsAnswer(name, type, seconds, address, null),
                    DnsRecordType.Cname => new DnsAnswer(name, type, seconds, null, data),
                    DnsRecordType.A or DnsRecordType.Aaaa => throw new LogLineException(LogFields.AnswerData, $"not an {DnsRecordTypeText.Of(type)} address (got \"{data}\")"),
                    _ => throw new LogLineException(LogFields.AnswerType, $"{DnsRecordTypeText.Of(type)} is not an answer type net-sentinel writes"),
                });
            }
            catch (LogLineException problem)
            {
                throw new LogLineException(LogFields.DnsAnswers, $"answer {index}: {problem.Message}");
            }
        }
        return answers;
    }

    private static DnsRecordType RecordType(JsonElement root, LogField field)
    {
        string text = Text(root, field);
        return DnsRecordTypeText.TryParse(text, out DnsRecordType type) ? type : throw new LogLineException(field, $"not a record type (got \"{text}\")");
    }

    private static DateTimeOffset Timestamp(JsonElement root)
    {
        string text = Text(root, LogFields.Timestamp);
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset timestamp))
        {
            throw new LogLineException(LogFields.Timestamp, $"not a date and time (got \"{text}\")");
        }
        if (timestamp < Earliest || timestamp >= Latest)
        {
            throw new LogLineException(LogFields.Timestamp, $"{text} is outside the years 1970 to 8999 a replay can follow");
        }
        return timestamp.ToUniversalTime();
    }

    private static ulong ConnectionIdOf(JsonElement root)
    {
        JsonElement value = Required(root, LogFields.ConnectionId, JsonValueKind.Number);
        return value.TryGetUInt64(out ulong id) ? id : throw new LogLineException(LogFields.ConnectionId, $"not an unsigned 64-bit integer (got {value.GetRawText()})");
    }

    private static ProcessInfo Process(JsonElement root)
    {
        AttributionSource attribution = OptionalText(root, LogFields.Attribution) switch
        {
            "kernel" => AttributionSource.Kernel,
            "proc" => AttributionSource.Proc,
            "etw" => AttributionSource.Etw,
            "ip_helper" => AttributionSource.IpHelper,
            _ => AttributionSource.Unknown,
        };
        // The writer leaves process.* and user.* out when the owner is unknown.
        if (!LogFields.ProcessPid.TryFind(root, out _))
        {
            return ProcessInfo.Unknown with { IdentifiedBy = attribution };
        }
        long uid = -1;
        if (OptionalText(root, LogFields.UserId) is { } id && !long.TryParse(id, NumberStyles.Integer, CultureInfo.InvariantCulture, out uid))
        {
            throw new LogLineException(LogFields.UserId, $"must be a number in a string (got \"{id}\")");
        }
        return new ProcessInfo
        {
            Pid = Int32(root, LogFields.ProcessPid, 1),
            ParentPid = LogFields.ProcessParentPid.TryFind(root, out _) ? Int32(root, LogFields.ProcessParentPid, 1) : 0,
            Uid = uid,
            UserName = OptionalText(root, LogFields.UserName),
            Name = Text(root, LogFields.ProcessName),
            Executable = OptionalText(root, LogFields.ProcessExecutable),
            CommandLine = OptionalText(root, LogFields.ProcessCommandLine),
            IdentifiedBy = attribution,
        };
    }

    /// <summary>The port is optional: the writer leaves out a port that is not known (0), and this host's unspecified address.</summary>
    private static IPEndPoint Endpoint(JsonElement root, LogField ipField, LogField portField)
    {
        // Only this host's end may lack its address: an unbound socket's unspecified address is never written.
        if (ipField == LogFields.SourceIp && !ipField.TryFind(root, out _))
        {
            return new IPEndPoint(IPAddress.Any, portField.TryFind(root, out _) ? Int32(root, portField, 1, 65535) : 0);
        }

        string ip = Text(root, ipField);
        if (!IPAddress.TryParse(ip, out IPAddress? address) || ip.Contains('%', StringComparison.Ordinal))
        {
            throw new LogLineException(ipField, $"not an IP address (got \"{ip}\")");
        }
        int port = portField.TryFind(root, out _) ? Int32(root, portField, 1, 65535) : 0;
        return new IPEndPoint(address, port);
    }

    private static JsonElement Required(JsonElement root, LogField field, JsonValueKind kind)
    {
        if (!field.TryFind(root, out JsonElement value))
        {
            throw new LogLineException(field, "missing");
        }
        return value.ValueKind == kind
            ? value
            : throw new LogLineException(field, $"must be a {KindName(kind)} (got {KindName(value.ValueKind)})");
    }

    private static string Text(JsonElement root, LogField field)
    {
        JsonElement value = Required(root, field, JsonValueKind.String);
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate (\ud800) is valid JSON but not text; the writer never escapes one.
            throw new LogLineException(field, "holds an invalid escape (a lone UTF-16 surrogate)");
        }
    }

    private static bool OptionalBoolean(JsonElement root, LogField field)
    {
        if (!field.TryFind(root, out JsonElement value))
        {
            return false;
        }
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new LogLineException(field, $"must be a boolean (got {KindName(value.ValueKind)})"),
        };
    }

    private static string? OptionalText(JsonElement root, LogField field) =>
        field.TryFind(root, out _) ? Text(root, field) : null;

    private static int Int32(JsonElement root, LogField field, int min, int max = int.MaxValue)
    {
        JsonElement value = Required(root, field, JsonValueKind.Number);
        return value.TryGetInt32(out int number) && number >= min && number <= max
            ? number
            : throw new LogLineException(field, $"must be an integer from {min} to {max} (got {value.GetRawText()})");
    }

    private static long NonNegative(JsonElement root, LogField field)
    {
        JsonElement value = Required(root, field, JsonValueKind.Number);
        return value.TryGetInt64(out long number) && number >= 0
            ? number
            : throw new LogLineException(field, $"must be a whole number >= 0 (got {value.GetRawText()})");
    }

    private static long? OptionalNonNegative(JsonElement root, LogField field) =>
        field.TryFind(root, out _) ? NonNegative(root, field) : null;

    private static string KindName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "value",
    };
}
