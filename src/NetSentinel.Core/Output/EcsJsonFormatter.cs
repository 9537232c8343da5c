using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output.Schema;

namespace NetSentinel.Core.Output;

/// <summary>
/// Turns a <see cref="LogRecord"/> into one line of JSON with Elastic Common Schema field names
/// (schema: docs/jsonl-schema.md). Written with <see cref="Utf8JsonWriter"/> so it needs no reflection
/// and survives NativeAOT. Fields whose value is unknown are left out rather than written as null.
/// </summary>
public sealed class EcsJsonFormatter
{
    /// <summary>Version of net-sentinel's line schema; fields are only added within a version.</summary>
    public const int SchemaVersion = 1;

    /// <summary>The ECS release whose field names and meanings the lines follow.</summary>
    public const string EcsVersion = "8.11.0";

    private const string Module = "net_sentinel";

    // The relaxed encoder keeps non-ASCII text readable (a process called "café" stays "café") while
    // still escaping quotes, backslashes and every control character, so a line can never be broken.
    // HTML-sensitive characters need no escaping: the log is never embedded in HTML.
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public EcsJsonFormatter(string? hostName = null)
    {
        HostName = hostName ?? Environment.MachineName;
    }

    /// <summary>Written as <c>host.name</c> on every line.</summary>
    public string HostName { get; }

    /// <summary>Appends the record as one JSON object followed by '\n' to <paramref name="output"/>.</summary>
    public void WriteLine(LogRecord record, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(output);

        using (var writer = new Utf8JsonWriter(output, WriterOptions))
        {
            writer.WriteStartObject();
            WriteString(writer, LogFields.Timestamp.Name, FormatTimestamp(record.Timestamp));
            switch (record)
            {
                case AlertRecord alert:
                    WriteAlert(writer, alert);
                    break;
                case ConnectionLogRecord connection:
                    WriteConnection(writer, connection);
                    break;
                case DnsLogRecord dns:
                    WriteDns(writer, dns);
                    break;
                case EventsLostRecord lost:
                    WriteEventsLost(writer, lost);
                    break;
                case ConnectionSnapshotRecord snapshot:
                    WriteSnapshot(writer, snapshot);
                    break;
                default:
                    throw new ArgumentException($"no JSON line layout for log record type {record.GetType().Name}", nameof(record));
            }

            writer.WriteEndObject();
        }

        output.Write("\n"u8);
    }

    /// <summary>The record as one UTF-8 line, ending with '\n'.</summary>
    public byte[] FormatLine(LogRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        WriteLine(record, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private void WriteAlert(Utf8JsonWriter writer, AlertRecord alert)
    {
        WriteString(writer, "message", alert.Message);
        WriteLog(writer, SeverityName(alert.Severity));
        WriteEcs(writer);

        writer.WriteStartObject("event");
        writer.WriteString("kind", "alert");
        WriteString(writer, "action", alert.Rule);
        WriteStringArray(writer, "category", "network");
        WriteStringArray(writer, "type", "info");
        writer.WriteNumber("severity", (int)alert.Severity);
        writer.WriteString("module", Module);
        writer.WriteString("dataset", "net_sentinel.alert");
        writer.WriteEndObject();

        writer.WriteStartObject("rule");
        WriteString(writer, "name", alert.Rule);
        writer.WriteEndObject();

        if (alert.QueriedName is { } queried)
        {
            writer.WriteStartObject("dns");
            writer.WriteStartObject("question");
            WriteString(writer, "name", queried);
            WriteString(writer, "registered_domain", Dns.RegistrableDomain.Of(queried));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        WriteProcessAndUser(writer, alert.Process);
        WriteEndpoints(writer, alert.Local, alert.Remote, alert.Transport, bytesSent: null, bytesReceived: null, alert.Names);
        WriteHost(writer);

        writer.WriteStartObject("net_sentinel");
        WriteCommonFigures(writer, alert.Source, alert.Process);
        WriteOtherDomains(writer, alert.Names);
        WriteFiniteNumber(writer, "value", alert.Value);
        WriteFiniteNumber(writer, "threshold", alert.Threshold);
        WriteString(writer, "unit", alert.Unit);
        WriteFiniteNumber(writer, "window_seconds", alert.Window.TotalSeconds);
        writer.WriteNumber("events_lost_in_window", alert.EventsLostInWindow);
        writer.WriteStartObject("baseline");
        writer.WriteNumber("samples_seen", alert.BaselineSamplesSeen);
        writer.WriteNumber("samples_required", alert.BaselineSamplesRequired);
        writer.WriteBoolean("mature", alert.BaselineSamplesSeen >= alert.BaselineSamplesRequired);
        writer.WriteEndObject();
        if (alert.PeriodSeconds is double period)
        {
            WriteFiniteNumber(writer, "period_seconds", period);
        }
        if (alert.Observations is long observations)
        {
            writer.WriteNumber("observations", observations);
        }
        if (alert.Targets is { } targets)
        {
            writer.WriteStartArray("targets");
            foreach (string target in targets)
            {
                writer.WriteStringValue(Utf16Sanitizer.ReplaceLoneSurrogates(target));
            }
            writer.WriteEndArray();
        }
        if (alert.WindowBytesSent is long windowSent)
        {
            writer.WriteNumber("window_bytes_sent", windowSent);
        }
        if (alert.WindowBytesReceived is long windowReceived)
        {
            writer.WriteNumber("window_bytes_received", windowReceived);
        }
        if (alert.FirstSeenOnHost is bool firstSeenOnHost)
        {
            writer.WriteBoolean("first_seen_on_host", firstSeenOnHost);
        }
        if (alert.Incident is { } incident)
        {
            WriteIncident(writer, incident);
        }
        if (alert.HostBytesSentPerSecond is double hostRate && double.IsFinite(hostRate))
        {
            writer.WriteStartObject("host");
            writer.WriteNumber("bytes_sent_per_second", hostRate);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>net_sentinel.incident: which incident the line belongs to, its phase and its counts so far.</summary>
    private static void WriteIncident(Utf8JsonWriter writer, IncidentFacts incident)
    {
        writer.WriteStartObject("incident");
        writer.WriteString("id", incident.Id);
        writer.WriteString("phase", incident.Phase switch
        {
            IncidentPhase.Opened => "opened",
            IncidentPhase.Updated => "updated",
            _ => "closed",
        });
        writer.WriteString("first_seen", FormatTimestamp(incident.FirstSeen));
        writer.WriteString("last_seen", FormatTimestamp(incident.LastSeen));
        WriteFiniteNumber(writer, "span_seconds", Math.Round(incident.Span.TotalSeconds, 3));
        writer.WriteNumber("alerts", incident.Alerts);
        writer.WriteNumber("destinations", incident.Destinations);
        if (incident.Folded.Count > 0)
        {
            writer.WriteStartObject("folded");
            foreach (var (rule, count) in incident.Folded)
            {
                writer.WriteNumber(rule, count);
            }
            writer.WriteEndObject();
        }
        if (incident.Absorbed.Count > 0)
        {
            writer.WriteStartArray("absorbed");
            foreach (string id in incident.Absorbed)
            {
                writer.WriteStringValue(id);
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    private void WriteConnection(Utf8JsonWriter writer, ConnectionLogRecord record)
    {
        ConnectionEvent connection = record.Event;
        ConnectionAction action = ConnectionActions.Of(connection);
        IPEndPoint local = WithoutMapping(connection.Local);
        IPEndPoint remote = WithoutMapping(connection.Remote);
        string transport = TransportName(connection.Transport);

        WriteString(writer, "message", $"{action.Name} {transport} {FormatEndpoint(local)} -> {FormatEndpoint(remote)} by {connection.Process.Name} (pid {connection.Process.Pid})");
        WriteLog(writer, "info");
        WriteEcs(writer);

        writer.WriteStartObject("event");
        writer.WriteString(LogFields.EventKind.Name, "event");
        writer.WriteString(LogFields.EventAction.Name, action.Name);
        WriteStringArray(writer, "category", "network");
        writer.WriteStartArray("type");
        foreach (string type in action.EventTypes)
        {
            writer.WriteStringValue(type);
        }

        writer.WriteEndArray();

        if (connection.Kind == ConnectionEventKind.Closed)
        {
            // ECS event.duration is in nanoseconds; a tick is 100 ns.
            writer.WriteNumber(LogFields.EventDuration.Name, connection.Duration.Ticks * 100);
        }

        writer.WriteString("module", Module);
        writer.WriteString("dataset", "net_sentinel.connection");
        writer.WriteEndObject();

        WriteProcessAndUser(writer, connection.Process);
        WriteEndpoints(writer, local, remote, connection.Transport, connection.BytesSent, connection.BytesReceived, connection.Names);
        WriteHost(writer);

        writer.WriteStartObject("net_sentinel");
        WriteCommonFigures(writer, record.Source, connection.Process);
        WriteOtherDomains(writer, connection.Names);
        writer.WriteNumber(LogFields.ConnectionId.Name, connection.ConnectionId);
        if (connection.Kind == ConnectionEventKind.Closed)
        {
            writer.WriteBoolean(LogFields.Failed.Name, connection.Failed);
            if (connection.CloseInferred)
            {
                writer.WriteBoolean(LogFields.CloseInferred.Name, true);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>A --once row: a connection as it stands, with the kernel's lifetime byte counters.</summary>
    private void WriteSnapshot(Utf8JsonWriter writer, ConnectionSnapshotRecord record)
    {
        ConnectionRecord connection = record.Connection;
        IPEndPoint local = WithoutMapping(connection.Local);
        IPEndPoint remote = WithoutMapping(connection.Remote);
        string transport = TransportName(connection.Transport);

        WriteString(writer, "message", $"{transport} {FormatEndpoint(local)} -> {FormatEndpoint(remote)} {connection.State} by {connection.Process.Name} (pid {connection.Process.Pid})");
        WriteLog(writer, "info");
        WriteEcs(writer);

        writer.WriteStartObject("event");
        writer.WriteString("kind", "state");
        writer.WriteString("action", "connection_snapshot");
        WriteStringArray(writer, "category", "network");
        WriteStringArray(writer, "type", "connection", "info");
        writer.WriteString("module", Module);
        writer.WriteString("dataset", "net_sentinel.snapshot");
        writer.WriteEndObject();

        WriteProcessAndUser(writer, connection.Process);
        WriteEndpoints(writer, local, remote, connection.Transport, connection.BytesSent, connection.BytesReceived);
        WriteHost(writer);

        writer.WriteStartObject("net_sentinel");
        WriteCommonFigures(writer, record.Source, connection.Process);
        WriteString(writer, "state", connection.State);
        writer.WriteNumber("connection_id", connection.SocketId);
        writer.WriteEndObject();
    }

    /// <summary>A DNS query or answer: ECS dns.* with the asking process; source is this host, destination the server.</summary>
    private void WriteDns(Utf8JsonWriter writer, DnsLogRecord record)
    {
        Dns.DnsEvent dns = record.Event;
        Dns.DnsMessage message = record.Message;
        string action = record.Action;
        string type = Dns.DnsRecordTypeText.Of(message.QuestionType);
        string text = message.IsResponse
            ? $"{action} {message.QuestionName} {type} {Dns.DnsRecordTypeText.ResponseCode(message.ResponseCode)} ({message.Answers.Count} answers) to {dns.Process.Name} (pid {dns.Process.Pid})"
            : $"{action} {message.QuestionName} {type} by {dns.Process.Name} (pid {dns.Process.Pid})";
        WriteString(writer, "message", text);
        WriteLog(writer, "info");
        WriteEcs(writer);

        writer.WriteStartObject("event");
        writer.WriteString("kind", "event");
        writer.WriteString("action", action);
        WriteStringArray(writer, "category", "network");
        WriteStringArray(writer, "type", "protocol", "info");
        writer.WriteString("module", Module);
        writer.WriteString("dataset", "net_sentinel.dns");
        writer.WriteEndObject();

        writer.WriteStartObject("dns");
        writer.WriteString("type", message.IsResponse ? "answer" : "query");
        writer.WriteString("id", message.Id.ToString(CultureInfo.InvariantCulture));
        writer.WriteStartObject("question");
        WriteString(writer, "name", message.QuestionName);
        writer.WriteString("type", type);
        writer.WriteString("class", "IN");
        if (message.QuestionName.Length > 0)
        {
            WriteString(writer, "registered_domain", Dns.RegistrableDomain.Of(message.QuestionName));
        }
        writer.WriteEndObject();
        if (message.IsResponse)
        {
            writer.WriteString("response_code", Dns.DnsRecordTypeText.ResponseCode(message.ResponseCode));
            writer.WriteStartArray("answers");
            foreach (var answer in message.Answers)
            {
                writer.WriteStartObject();
                WriteString(writer, "name", answer.Name);
                writer.WriteString("type", Dns.DnsRecordTypeText.Of(answer.Type));
                writer.WriteString("class", "IN");
                writer.WriteNumber("ttl", answer.Ttl);
                WriteString(writer, "data", answer.Data);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteStartArray("resolved_ip");
            foreach (var answer in message.Answers)
            {
                if (answer.Address is { } address)
                {
                    writer.WriteStringValue((address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString());
                }
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();

        WriteProcessAndUser(writer, dns.Process);
        if (dns.Server is not null)
        {
            WriteEndpoints(writer, dns.Local, dns.Server, dns.Transport, bytesSent: null, bytesReceived: null);
        }
        WriteHost(writer);

        writer.WriteStartObject("net_sentinel");
        WriteCommonFigures(writer, record.Source, dns.Process);
        if (!message.Complete)
        {
            writer.WriteBoolean("dns_truncated", true);
        }
        writer.WriteEndObject();
    }

    /// <summary>net_sentinel.domains: the other names known for the destination, when there are any.</summary>
    private static void WriteOtherDomains(Utf8JsonWriter writer, Dns.DomainNames? names)
    {
        if (names is null || names.Others.Count == 0)
        {
            return;
        }
        writer.WriteStartArray("domains");
        foreach (string name in names.Others)
        {
            writer.WriteStringValue(Utf16Sanitizer.ReplaceLoneSurrogates(name));
        }
        writer.WriteEndArray();
    }

    private void WriteEventsLost(Utf8JsonWriter writer, EventsLostRecord record)
    {
        WriteString(writer, "message", $"{record.Lost} events lost by the {record.Source} source ({record.TotalLost} since start)");
        WriteLog(writer, "warning");
        WriteEcs(writer);

        writer.WriteStartObject("event");
        writer.WriteString("kind", "metric");
        writer.WriteString("action", "events_lost");
        writer.WriteString("module", Module);
        writer.WriteString("dataset", "net_sentinel.events_lost");
        writer.WriteEndObject();

        WriteHost(writer);

        writer.WriteStartObject("net_sentinel");
        writer.WriteNumber("schema_version", SchemaVersion);
        WriteString(writer, "source", record.Source);
        writer.WriteNumber("lost", record.Lost);
        writer.WriteNumber(LogFields.TotalLost.Name, record.TotalLost);
        writer.WriteEndObject();
    }

    private static void WriteLog(Utf8JsonWriter writer, string level)
    {
        writer.WriteStartObject("log");
        writer.WriteString("level", level);
        writer.WriteEndObject();
    }

    private static void WriteEcs(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("ecs");
        writer.WriteString("version", EcsVersion);
        writer.WriteEndObject();
    }

    private void WriteHost(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("host");
        WriteString(writer, "name", HostName);
        writer.WriteEndObject();
    }

    private static void WriteCommonFigures(Utf8JsonWriter writer, string source, ProcessInfo process)
    {
        writer.WriteNumber(LogFields.SchemaVersion.Name, SchemaVersion);
        WriteString(writer, LogFields.Source.Name, source);
        writer.WriteString(LogFields.Attribution.Name, AttributionName(process.IdentifiedBy));
    }

    /// <summary>process.* and user.*; left out entirely when the owner is unknown (pid 0).</summary>
    private static void WriteProcessAndUser(Utf8JsonWriter writer, ProcessInfo process)
    {
        if (process.Pid <= 0)
        {
            return;
        }

        writer.WriteStartObject("process");
        writer.WriteNumber(LogFields.ProcessPid.Name, process.Pid);
        WriteString(writer, LogFields.ProcessName.Name, process.Name);
        WriteOptionalString(writer, LogFields.ProcessExecutable.Name, process.Executable);
        WriteOptionalString(writer, LogFields.ProcessCommandLine.Name, process.CommandLine);
        if (process.ParentPid > 0)
        {
            writer.WriteStartObject("parent");
            writer.WriteNumber(LogFields.ProcessParentPid.Name, process.ParentPid);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();

        if (process.Uid >= 0 || process.UserName is not null)
        {
            writer.WriteStartObject("user");
            if (process.Uid >= 0)
            {
                // ECS user.id is a keyword: the uid as a string.
                writer.WriteString(LogFields.UserId.Name, process.Uid.ToString(CultureInfo.InvariantCulture));
            }

            WriteOptionalString(writer, LogFields.UserName.Name, process.UserName);
            writer.WriteEndObject();
        }
    }

    /// <summary>source.* (this host's end), destination.* (the peer) and network.*; all outbound, hence egress.</summary>
    private static void WriteEndpoints(Utf8JsonWriter writer, IPEndPoint? local, IPEndPoint? remote, Transport? transport, long? bytesSent, long? bytesReceived,
        Dns.DomainNames? names = null)
    {
        local = local is null ? null : WithoutMapping(local);
        remote = remote is null ? null : WithoutMapping(remote);

        if (local is not null)
        {
            WriteEndpoint(writer, "source", local, bytesSent);
        }

        if (remote is not null)
        {
            WriteEndpoint(writer, "destination", remote, bytesReceived, names);
        }

        IPAddress? family = remote?.Address ?? local?.Address;
        if (transport is null && family is null)
        {
            return;
        }

        writer.WriteStartObject("network");
        if (transport is Transport t)
        {
            writer.WriteString(LogFields.NetworkTransport.Name, TransportName(t));
        }

        if (family is not null)
        {
            writer.WriteString("type", family.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4");
        }

        writer.WriteString("direction", "egress");
        if (bytesSent >= 0 && bytesReceived >= 0)
        {
            writer.WriteNumber("bytes", bytesSent.Value + bytesReceived.Value);
        }

        writer.WriteEndObject();
    }

    private static void WriteEndpoint(Utf8JsonWriter writer, string name, IPEndPoint endpoint, long? bytes, Dns.DomainNames? names = null)
    {
        // source.* and destination.* hold the same leaves (ip, port, bytes); the source rows of LogFields name them.
        writer.WriteStartObject(name);
        writer.WriteString(LogFields.SourceIp.Name, endpoint.Address.ToString());
        if (names is not null)
        {
            WriteString(writer, "domain", names.Domain);
            WriteString(writer, "registered_domain", names.RegistrableDomain);
        }
        // Port 0 means "not known yet" (the kernel picks the local port after SYN_SENT, and a
        // refused connect may never show it): leave it out rather than claim port 0.
        if (endpoint.Port != 0)
        {
            writer.WriteNumber(LogFields.SourcePort.Name, endpoint.Port);
        }
        if (bytes >= 0)
        {
            writer.WriteNumber(LogFields.SourceBytes.Name, bytes.Value);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// An IPv4-mapped IPv6 address (::ffff:198.51.100.2, what a dual-stack socket reports) is an IPv4
    /// peer and is written as one, so the same destination is spelled the same way from every socket.
    /// A scope id is dropped: ECS ip fields hold a bare address.
    /// </summary>
    internal static IPEndPoint WithoutMapping(IPEndPoint endpoint)
    {
        IPAddress address = endpoint.Address;
        if (address.IsIPv4MappedToIPv6)
        {
            return new IPEndPoint(address.MapToIPv4(), endpoint.Port);
        }

        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            return new IPEndPoint(new IPAddress(address.GetAddressBytes()), endpoint.Port);
        }

        return endpoint;
    }

    private static string FormatEndpoint(IPEndPoint endpoint) => endpoint.ToString();

    private static string FormatTimestamp(DateTimeOffset timestamp) =>
        timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string TransportName(Transport transport) => transport == Transport.Udp ? "udp" : "tcp";

    private static string SeverityName(Severity severity) => severity switch
    {
        Severity.Low => "low",
        Severity.Medium => "medium",
        Severity.High => "high",
        Severity.Critical => "critical",
        _ => "unknown",
    };

    private static string AttributionName(AttributionSource source) => source switch
    {
        AttributionSource.Kernel => "kernel",
        AttributionSource.Proc => "proc",
        AttributionSource.Etw => "etw",
        AttributionSource.IpHelper => "ip_helper",
        _ => "unknown",
    };

    private static void WriteStringArray(Utf8JsonWriter writer, string name, params ReadOnlySpan<string> values)
    {
        writer.WriteStartArray(name);
        foreach (string value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    /// <summary>Utf8JsonWriter cannot write NaN or infinity as JSON numbers; such a figure is unknown, so left out.</summary>
    private static void WriteFiniteNumber(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
    }

    private static void WriteOptionalString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            WriteString(writer, name, value);
        }
    }

    /// <summary>Every string goes through here: it may come from a hostile process.</summary>
    private static void WriteString(Utf8JsonWriter writer, string name, string value) =>
        writer.WriteString(name, Utf16Sanitizer.ReplaceLoneSurrogates(value));
}
