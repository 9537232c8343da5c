using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Identity;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output.Schema;

namespace NetSentinel.Core.Output;

/// <summary>
/// Turns a <see cref="LogRecord"/> into one line of JSON with Elastic Common Schema field names
/// (schema: docs/jsonl-schema.md). Written with <see cref="Utf8JsonWriter"/> so it needs no reflection
/// and survives NativeAOT. Fields whose value is unknown are left out rather than written as null.
/// A number field has one JSON type on every line: figures that can be fractional are always written with a
/// decimal point (<c>5.0</c>), so Elasticsearch's dynamic mapping never fixes them as integers from a first,
/// whole value.
/// </summary>
public sealed class EcsJsonFormatter
{
    /// <summary>Version of net-sentinel's line schema; fields are only added within a version.</summary>
    public const int SchemaVersion = 2;

    /// <summary>The ECS release whose field names and meanings the lines follow.</summary>
    public const string EcsVersion = "8.11.0";

    /// <summary><c>agent.name</c> and <c>agent.type</c>.</summary>
    public const string AgentName = "net-sentinel";

    private const string Module = "net_sentinel";

    // The relaxed encoder keeps non-ASCII text readable (a process called "café" stays "café") while
    // still escaping quotes, backslashes and every control character, so a line can never be broken.
    // HTML-sensitive characters need no escaping: the log is never embedded in HTML.
    internal static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        // The layout is fixed code, checked by the golden-line tests; checking every call's place in it again per line is waste.
        SkipValidation = true,
    };

    private static readonly byte[] EcsVersionUtf8 = Encoding.UTF8.GetBytes(EcsVersion);

    /// <summary>Each connection action's name, <c>event.type</c> array and outcome as JSON, for <see cref="WriteConnectionLine"/>.</summary>
    private static readonly (ConnectionAction Action, byte[] Name, byte[] Types, byte[] Outcome)[] ConnectionActionJson =
        [.. ConnectionActions.All.Select(a => (a, Encoding.UTF8.GetBytes(a.Name), Encoding.UTF8.GetBytes($"[{string.Join(',', a.EventTypes.Select(t => $"\"{t}\""))}]"), Encoding.UTF8.GetBytes(a.Outcome ?? "")))];

    private readonly byte[] _hostJson;
    private readonly byte[] _agentJson;
    // A connection line's constant stretches, each one copy (see WriteConnectionLine): after the message's pid up to
    // event.id's value, and host.* with its member name.
    private readonly byte[] _afterMessageJson;
    private readonly byte[] _hostMemberJson;
    private readonly TimeProvider _clock;
    private readonly Func<string>? _nextEventId;
    private readonly ProcessJsonCache _processes = new();

    // One writer per thread, reset for each line: creating one per line was a third of a line's allocations.
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    // The addresses of related.ip, gathered per line without a new list.
    [ThreadStatic]
    private static List<IPAddress>? t_related;

    /// <summary>A formatter for this machine (<see cref="HostIdentity.Current"/>), or only a host name when one is given.</summary>
    public EcsJsonFormatter(string? hostName = null)
        : this(hostName is null ? HostIdentity.Current() : new HostIdentity { Name = hostName })
    {
    }

    /// <param name="host">Written as <c>host.*</c> on every line.</param>
    /// <param name="clock">Stamps <c>event.created</c>, when the line is written.</param>
    /// <param name="nextEventId">Makes <c>event.id</c>; by default a UUIDv7 per line (time-ordered, unique without coordination).</param>
    /// <param name="agentVersion"><c>agent.version</c>; by default this assembly's version.</param>
    public EcsJsonFormatter(HostIdentity host, TimeProvider? clock = null, Func<string>? nextEventId = null, string? agentVersion = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        Host = host;
        _clock = clock ?? TimeProvider.System;
        _nextEventId = nextEventId;
        _hostJson = HostJson(host);
        _agentJson = AgentJson(agentVersion ?? ProductVersion());
        _afterMessageJson = [.. ")\",\"log\":{\"level\":\"info\"},\"ecs\":{\"version\":\""u8, .. EcsVersionUtf8, .. "\"},\"agent\":"u8, .. _agentJson,
            .. ",\"event\":{\"kind\":\"event\",\"id\":\""u8];
        _hostMemberJson = [.. "},\"host\":"u8, .. _hostJson];
    }

    public HostIdentity Host { get; }

    /// <summary>Written as <c>host.name</c> on every line.</summary>
    public string HostName => Host.Name;

    /// <summary>Appends the record as one JSON object followed by '\n' to <paramref name="output"/>.</summary>
    public void WriteLine(LogRecord record, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(output);
        if (record is ConnectionLogRecord connectionRecord)
        {
            WriteConnectionLine(connectionRecord, output);
            return;
        }

        Utf8JsonWriter writer = t_writer ??= new Utf8JsonWriter(output, WriterOptions);
        writer.Reset(output);
        try
        {
            writer.WriteStartObject();
            WriteTimestamp(writer, LogFields.Timestamp.Utf8Name, record.Timestamp);
            switch (record)
            {
                case AlertRecord alert:
                    WriteAlert(writer, output, alert);
                    break;
                case DnsLogRecord dns:
                    WriteDns(writer, output, dns);
                    break;
                case EventsLostRecord lost:
                    WriteEventsLost(writer, lost);
                    break;
                case ConnectionSnapshotRecord snapshot:
                    WriteSnapshot(writer, output, snapshot);
                    break;
                case LogFileNoticeRecord notice:
                    WriteLogFileNotice(writer, notice);
                    break;
                case OutputLinesDroppedRecord dropped:
                    WriteOutputLinesDropped(writer, dropped);
                    break;
                default:
                    throw new ArgumentException($"no JSON line layout for log record type {record.GetType().Name}", nameof(record));
            }

            writer.WriteEndObject();
            writer.Flush();
        }
        finally
        {
            writer.Reset(); // forgets the output's remaining state (a throw mid-line leaves nothing for the next line)
        }

        output.Write("\n"u8);
    }

    /// <summary>The record as one UTF-8 line, ending with '\n'.</summary>
    public byte[] FormatLine(LogRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        WriteLine(record, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private void WriteAlert(Utf8JsonWriter writer, IBufferWriter<byte> output, AlertRecord alert)
    {
        RuleMetadata? rule = RuleCatalog.Find(alert.Rule);
        WriteString(writer, "message"u8, alert.Message);
        // An alert is a warning in the log's own terms; how bad it is lives in event.severity and risk_score.
        WriteLog(writer, "warning");
        WriteProduct(writer);

        writer.WriteStartObject("event"u8);
        writer.WriteString("kind"u8, "alert");
        WriteEventId(writer);
        WriteString(writer, "action"u8, alert.Rule);
        WriteStringArray(writer, "category"u8, "network");
        WriteStringArray(writer, "type"u8, "info");
        writer.WriteNumber("severity"u8, (int)alert.Severity);
        WriteFloat(writer, "risk_score"u8, RuleCatalog.RiskScore(alert.Severity));
        WriteString(writer, "reason"u8, alert.Message);
        WriteCreated(writer);
        writer.WriteString("module"u8, Module);
        writer.WriteString("dataset"u8, "net_sentinel.alert");
        writer.WriteEndObject();

        writer.WriteStartObject("rule"u8);
        WriteString(writer, "name"u8, alert.Rule);
        if (rule is not null)
        {
            writer.WriteString("id"u8, rule.Id);
            writer.WriteString("ruleset"u8, RuleCatalog.Ruleset);
            writer.WriteString("category"u8, rule.Category);
            writer.WriteString("description"u8, rule.Description);
            writer.WriteString("reference"u8, rule.Reference);
        }

        writer.WriteEndObject();
        if (rule is { Techniques.Count: > 0 })
        {
            WriteThreat(writer, rule.Techniques);
        }

        if (alert.QueriedName is { } queried)
        {
            writer.WriteStartObject("dns"u8);
            writer.WriteStartObject("question"u8);
            WriteString(writer, "name"u8, queried);
            WriteString(writer, "registered_domain"u8, Dns.RegistrableDomain.Of(queried));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        ProcessJson process = ProcessJsonOf(alert.Process);
        WriteRawMembers(writer, output, process.Members);
        IPEndPoint? local = alert.Local is null ? null : WithoutMapping(alert.Local);
        IPEndPoint? remote = alert.Remote is null ? null : WithoutMapping(alert.Remote);
        WriteEndpoints(writer, local, remote, alert.Transport, bytesSent: null, bytesReceived: null, alert.Names);
        WriteHost(writer);
        WriteRelated(writer, local, remote, alert.RelatedAddresses, alert.Process);

        writer.WriteStartObject("net_sentinel"u8);
        WriteCommonFigures(writer, alert.Source, alert.Process);
        WriteOtherDomains(writer, alert.Names);
        WriteFloat(writer, "value"u8, alert.Value);
        WriteFloat(writer, "threshold"u8, alert.Threshold);
        WriteString(writer, "unit"u8, alert.Unit);
        WriteFloat(writer, "window_seconds"u8, alert.Window.TotalSeconds);
        writer.WriteNumber("events_lost_in_window"u8, alert.EventsLostInWindow);
        writer.WriteStartObject("baseline"u8);
        writer.WriteNumber("samples_seen"u8, alert.BaselineSamplesSeen);
        writer.WriteNumber("samples_required"u8, alert.BaselineSamplesRequired);
        writer.WriteBoolean("mature"u8, alert.BaselineSamplesSeen >= alert.BaselineSamplesRequired);
        writer.WriteEndObject();
        if (alert.PeriodSeconds is double period)
        {
            WriteFloat(writer, "period_seconds"u8, period);
        }
        if (alert.Observations is long observations)
        {
            writer.WriteNumber("observations"u8, observations);
        }
        if (alert.Targets is { } targets)
        {
            writer.WriteStartArray("targets"u8);
            foreach (string target in targets)
            {
                writer.WriteStringValue(Utf16Sanitizer.ReplaceLoneSurrogates(target));
            }
            writer.WriteEndArray();
        }
        if (alert.WindowBytesSent is long windowSent)
        {
            writer.WriteNumber("window_bytes_sent"u8, windowSent);
        }
        if (alert.WindowBytesReceived is long windowReceived)
        {
            writer.WriteNumber("window_bytes_received"u8, windowReceived);
        }
        if (alert.FirstSeenOnHost is bool firstSeenOnHost)
        {
            writer.WriteBoolean("first_seen_on_host"u8, firstSeenOnHost);
        }
        if (alert.Incident is { } incident)
        {
            WriteIncident(writer, incident);
        }
        if (alert.HostBytesSentPerSecond is double hostRate && double.IsFinite(hostRate))
        {
            writer.WriteStartObject("host"u8);
            WriteFloat(writer, "bytes_sent_per_second"u8, hostRate);
            writer.WriteEndObject();
        }

        WriteRawMembers(writer, output, process.ExtraMembers);
        writer.WriteEndObject();
    }

    /// <summary>net_sentinel.incident: which incident the line belongs to, its phase and its counts so far.</summary>
    private static void WriteIncident(Utf8JsonWriter writer, IncidentFacts incident)
    {
        writer.WriteStartObject("incident"u8);
        writer.WriteString("id"u8, incident.Id);
        writer.WriteString("phase"u8, incident.Phase switch
        {
            IncidentPhase.Opened => "opened",
            IncidentPhase.Updated => "updated",
            _ => "closed",
        });
        WriteTimestamp(writer, "first_seen"u8, incident.FirstSeen);
        WriteTimestamp(writer, "last_seen"u8, incident.LastSeen);
        WriteFloat(writer, "span_seconds"u8, Math.Round(incident.Span.TotalSeconds, 3));
        writer.WriteNumber("alerts"u8, incident.Alerts);
        writer.WriteNumber("destinations"u8, incident.Destinations);
        if (incident.Processes > 1)
        {
            writer.WriteNumber("processes"u8, incident.Processes);
        }
        if (incident.Folded.Count > 0)
        {
            writer.WriteStartObject("folded"u8);
            foreach (var (rule, count) in incident.Folded)
            {
                writer.WriteNumber(rule, count);
            }
            writer.WriteEndObject();
        }
        if (incident.Absorbed.Count > 0)
        {
            writer.WriteStartArray("absorbed"u8);
            foreach (string id in incident.Absorbed)
            {
                writer.WriteStringValue(id);
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    /// <summary>
    /// A connection line, the line a storm writes tens of thousands of times a second, written byte by byte
    /// (<see cref="Utf8Line"/>) in the layout the other lines get from Utf8JsonWriter, with the same rules: the
    /// same members in the same order, left out under the same conditions (see <see cref="WriteEndpoints"/>,
    /// <see cref="WriteRelated"/>); the golden-line tests hold both to the same bytes.
    /// </summary>
    private void WriteConnectionLine(ConnectionLogRecord record, IBufferWriter<byte> output)
    {
        ConnectionEvent connection = record.Event;
        var action = ActionJsonOf(ConnectionActions.Of(connection));
        IPEndPoint local = WithoutMapping(connection.Local);
        IPEndPoint remote = WithoutMapping(connection.Remote);
        ProcessJson process = ProcessJsonOf(connection.Process);
        Dns.DomainNames? names = connection.Names;

        int most = 2048 + process.Members.Length + process.ExtraMembers.Length + process.EscapedName.Length + process.EscapedUser.Length
                   + _hostJson.Length + _agentJson.Length + Utf8Line.MaxEscapedLength(record.Source);
        if (names is not null)
        {
            most += 2 * Utf8Line.MaxEscapedLength(names.Domain); // destination.domain and registered_domain, a suffix of it
            foreach (string other in names.Others) most += Utf8Line.MaxEscapedLength(other) + 3;
        }

        var line = new Utf8Line(output.GetSpan(most));
        DateTimeOffset now = _clock.GetUtcNow();
        // What is the same on every line of the flow (FlowJsonCache): six segments, copied from its last line or
        // formatted here (WriteFlowSegment) and kept for its next.
        FlowJsonCache flows = FlowJsonCache.Current;
        int slot = flows.Find(this, connection.ConnectionId, connection.Transport, local, remote, connection.Process, names, record.Source);
        bool hit = slot >= 0;
        // Each address's text once (only when the flow is formatted): it is on the line up to three times (message,
        // source or destination, related.ip).
        Span<byte> localBuffer = stackalloc byte[MaxAddressLength];
        Span<byte> remoteBuffer = stackalloc byte[MaxAddressLength];
        FlowText flow = default;
        scoped ReadOnlySpan<byte> localText = default, remoteText = default;
        if (!hit)
        {
            slot = ~slot;
            flows.Begin(slot, this, connection.ConnectionId, connection.Transport, local, remote, connection.Process, names, record.Source);
            flow = new FlowText(local, remote, connection, process, names, record.Source);
            localText = AddressText(local.Address, localBuffer);
            remoteText = AddressText(remote.Address, remoteBuffer);
        }

        line.Append("{\"@timestamp\":"u8);
        line.AppendTimestamp(record.Timestamp);

        // message: connection_opened tcp 198.51.100.1:0 -> 198.51.100.2:443 by curl (pid 4242)
        line.Append(",\"message\":\""u8);
        line.Append(action.Name);
        WriteFlowSegment(ref line, flows, slot, 0, hit, in flow, localText, remoteText);
        line.Append(_afterMessageJson);
        if (_nextEventId is not null)
        {
            line.AppendEscaped(_nextEventId());
        }
        else
        {
            Span<byte> id = stackalloc byte[EventIds.Utf8Length];
            EventIds.Write(id, now);
            line.Append(id);
        }
        line.Append("\",\"action\":\""u8);
        line.Append(action.Name);
        line.Append("\",\"category\":[\"network\"],\"type\":"u8);
        line.Append(action.Types);
        if (action.Action.Outcome is not null)
        {
            line.Append(",\"outcome\":\""u8);
            line.Append(action.Outcome);
            line.Append((byte)'"');
        }
        if (connection.Kind == ConnectionEventKind.Closed)
        {
            // ECS event.duration is in nanoseconds; a tick is 100 ns.
            line.Append(",\"duration\":"u8);
            line.AppendNumber(connection.Duration.Ticks * 100);
            line.Append(",\"start\":"u8);
            line.AppendTimestamp(connection.Timestamp - connection.Duration);
            line.Append(",\"end\":"u8);
            line.AppendTimestamp(connection.Timestamp);
        }
        else if (connection.Kind == ConnectionEventKind.Opened)
        {
            line.Append(",\"start\":"u8);
            line.AppendTimestamp(connection.Timestamp);
        }
        line.Append(",\"created\":"u8);
        line.AppendTimestamp(now);
        line.Append(",\"module\":\"net_sentinel\",\"dataset\":\"net_sentinel.connection\"}"u8);

        line.Append(process.Members);

        // source.*, destination.*, network.*: as WriteEndpoints writes them for a line with both ends and a transport.
        int sourceStart = line.Length;
        WriteFlowSegment(ref line, flows, slot, 1, hit, in flow, localText, remoteText);
        AppendBytes(ref line, connection.BytesSent, afterMember: line.Length - sourceStart > SourceOpening.Length);
        WriteFlowSegment(ref line, flows, slot, 2, hit, in flow, localText, remoteText);
        AppendBytes(ref line, connection.BytesReceived, afterMember: true);
        WriteFlowSegment(ref line, flows, slot, 3, hit, in flow, localText, remoteText);
        if (connection.BytesSent >= 0 && connection.BytesReceived >= 0)
        {
            line.Append(",\"bytes\":"u8);
            line.AppendNumber(connection.BytesSent + connection.BytesReceived);
        }
        WriteFlowSegment(ref line, flows, slot, 4, hit, in flow, localText, remoteText); // network.community_id
        line.Append(_hostMemberJson);
        // related.*, net_sentinel.* up to connection_id.
        WriteFlowSegment(ref line, flows, slot, 5, hit, in flow, localText, remoteText);
        if (!hit)
        {
            flows.Complete(slot);
        }

        if (connection.Kind == ConnectionEventKind.Closed)
        {
            line.Append(connection.Failed ? ",\"failed\":true"u8 : ",\"failed\":false"u8);
            if (connection.CloseInferred)
            {
                line.Append(",\"close_inferred\":true"u8);
            }
        }
        line.Append(process.ExtraMembers);
        line.Append("}}\n"u8);
        output.Advance(line.Length);
    }

    /// <summary>What a connection line's flow segments are made from, when they are not cached (with the addresses' texts).</summary>
    private readonly record struct FlowText(IPEndPoint Local, IPEndPoint Remote, ConnectionEvent Connection, ProcessJson Process, Dns.DomainNames? Names, string Source);

    /// <summary><c>,"source":{</c>: segment 1 without a member after it.</summary>
    private static ReadOnlySpan<byte> SourceOpening => ",\"source\":{"u8;

    /// <summary>Segment <paramref name="index"/> of the line's flow: copied from the cache on a hit, else formatted here and stored in the slot.</summary>
    private void WriteFlowSegment(ref Utf8Line line, FlowJsonCache flows, int slot, int index, bool hit, in FlowText flow,
        scoped ReadOnlySpan<byte> localText, scoped ReadOnlySpan<byte> remoteText)
    {
        if (hit)
        {
            line.Append(flows.Segment(slot, index));
            return;
        }
        int start = line.Length;
        FormatFlowSegment(ref line, index, in flow, localText, remoteText);
        flows.Store(slot, line.Since(start));
    }

    private void FormatFlowSegment(ref Utf8Line line, int index, in FlowText flow, scoped ReadOnlySpan<byte> localText, scoped ReadOnlySpan<byte> remoteText)
    {
        IPEndPoint local = flow.Local, remote = flow.Remote;
        ConnectionEvent connection = flow.Connection;
        switch (index)
        {
            case 0: // the message after its action: " tcp 198.51.100.1:0 -> 198.51.100.2:443 by curl (pid 4242"
                line.Append(connection.Transport == Transport.Udp ? " udp "u8 : " tcp "u8);
                AppendEndpointText(ref line, local, localText);
                line.Append(" -> "u8);
                AppendEndpointText(ref line, remote, remoteText);
                line.Append(" by "u8);
                line.Append(flow.Process.EscapedName);
                line.Append(" (pid "u8);
                line.AppendNumber(connection.Process.Pid);
                break;
            case 1: // source.* before its bytes
                line.Append(SourceOpening);
                bool sourceMember = false;
                if (IsSpecified(local.Address))
                {
                    line.Append("\"ip\":\""u8);
                    line.Append(localText);
                    line.Append((byte)'"');
                    sourceMember = true;
                }
                AppendPort(ref line, local.Port, sourceMember);
                break;
            case 2: // destination.* before its bytes
                line.Append("},\"destination\":{\"ip\":\""u8);
                line.Append(remoteText);
                line.Append((byte)'"');
                if (flow.Names is { } names)
                {
                    line.Append(",\"domain\":\""u8);
                    line.AppendEscaped(names.Domain);
                    line.Append("\",\"registered_domain\":\""u8);
                    line.AppendEscaped(names.RegistrableDomain!);
                    line.Append((byte)'"');
                }
                AppendPort(ref line, remote.Port, true);
                break;
            case 3: // network.* before its bytes
                line.Append("},\"network\":{\"transport\":"u8);
                line.Append(connection.Transport == Transport.Udp ? "\"udp\",\"iana_number\":\"17\""u8 : "\"tcp\",\"iana_number\":\"6\""u8);
                line.Append(remote.AddressFamily == AddressFamily.InterNetworkV6 ? ",\"type\":\"ipv6\""u8 : ",\"type\":\"ipv4\""u8);
                line.Append(",\"direction\":\"egress\""u8);
                break;
            case 4: // network.community_id
                if (HasCommunityId(local, remote))
                {
                    line.Append(",\"community_id\":\""u8);
                    line.Append(CommunityIdCache.Get(connection.ConnectionId, local, remote, connection.Transport == Transport.Udp ? CommunityId.Udp : CommunityId.Tcp));
                    line.Append((byte)'"');
                }
                break;
            default: // related.*, net_sentinel.* up to connection_id
                FormatFlowEnd(ref line, in flow, localText, remoteText);
                break;
        }
    }

    private void FormatFlowEnd(ref Utf8Line line, in FlowText flow, scoped ReadOnlySpan<byte> localText, scoped ReadOnlySpan<byte> remoteText)
    {
        IPEndPoint local = flow.Local, remote = flow.Remote;
        ConnectionEvent connection = flow.Connection;
        // related.*: as WriteRelated writes it.
        bool localRelated = IsSpecified(local.Address);
        bool remoteRelated = IsSpecified(remote.Address) && !(localRelated && local.Address.Equals(remote.Address));
        bool user = connection.Process.Pid > 0 && connection.Process.UserName is not null;
        if (localRelated || remoteRelated || user)
        {
            line.Append(",\"related\":{"u8);
            if (localRelated || remoteRelated)
            {
                line.Append("\"ip\":[\""u8);
                if (localRelated)
                {
                    line.Append(localText);
                    if (remoteRelated) line.Append("\",\""u8);
                }
                if (remoteRelated) line.Append(remoteText);
                line.Append("\"]"u8);
                if (user) line.Append((byte)',');
            }
            if (user)
            {
                line.Append("\"user\":[\""u8);
                line.Append(flow.Process.EscapedUser);
                line.Append("\"]"u8);
            }
            line.Append((byte)'}');
        }

        line.Append(",\"net_sentinel\":{\"schema_version\":"u8);
        line.AppendNumber(SchemaVersion);
        line.Append(",\"source\":\""u8);
        line.AppendEscaped(flow.Source);
        line.Append("\",\"attribution\":\""u8);
        line.Append(AttributionName(connection.Process.IdentifiedBy));
        line.Append((byte)'"');
        if (flow.Names is { Others.Count: > 0 } names)
        {
            line.Append(",\"domains\":["u8);
            for (int i = 0; i < names.Others.Count; i++)
            {
                line.Append(i == 0 ? "\""u8 : ",\""u8);
                line.AppendEscaped(names.Others[i]);
                line.Append((byte)'"');
            }
            line.Append((byte)']');
        }
        line.Append(",\"connection_id\":"u8);
        line.AppendNumber(connection.ConnectionId);
    }

    private static (ConnectionAction Action, byte[] Name, byte[] Types, byte[] Outcome) ActionJsonOf(ConnectionAction action)
    {
        foreach (var row in ConnectionActionJson)
        {
            if (ReferenceEquals(row.Action, action)) return row;
        }
        throw new ArgumentException($"connection action {action.Name} is not in ConnectionActions.All", nameof(action));
    }

    /// <summary>The address's text as IPAddress writes it, in <paramref name="buffer"/> (<see cref="MaxAddressLength"/> bytes).</summary>
    private static ReadOnlySpan<byte> AddressText(IPAddress address, Span<byte> buffer)
    {
        address.TryFormat(buffer, out int written);
        return buffer[..written];
    }

    /// <summary>An endpoint as IPEndPoint writes it (<paramref name="addressText"/> its address's text): an IPv6 address in brackets before the port.</summary>
    private static void AppendEndpointText(ref Utf8Line line, IPEndPoint endpoint, scoped ReadOnlySpan<byte> addressText)
    {
        bool v6 = endpoint.AddressFamily == AddressFamily.InterNetworkV6;
        if (v6) line.Append((byte)'[');
        line.Append(addressText);
        line.Append(v6 ? "]:"u8 : ":"u8);
        line.AppendNumber(endpoint.Port);
    }

    /// <summary>port of source.* or destination.*, when known (0 means not known).</summary>
    private static void AppendPort(ref Utf8Line line, int port, bool afterMember)
    {
        if (port != 0)
        {
            line.Append(afterMember ? ",\"port\":"u8 : "\"port\":"u8);
            line.AppendNumber(port);
        }
    }

    /// <summary>bytes of source.* or destination.*, when not negative; <paramref name="afterMember"/>: the object has a member before it.</summary>
    private static void AppendBytes(ref Utf8Line line, long bytes, bool afterMember)
    {
        if (bytes >= 0)
        {
            line.Append(afterMember ? ",\"bytes\":"u8 : "\"bytes\":"u8);
            line.AppendNumber(bytes);
        }
    }

    /// <summary>A --once row: a connection as it stands, with the kernel's lifetime byte counters.</summary>
    private void WriteSnapshot(Utf8JsonWriter writer, IBufferWriter<byte> output, ConnectionSnapshotRecord record)
    {
        ConnectionRecord connection = record.Connection;
        IPEndPoint local = WithoutMapping(connection.Local);
        IPEndPoint remote = WithoutMapping(connection.Remote);
        string transport = TransportNames.Of(connection.Transport);

        WriteString(writer, "message"u8, $"{transport} {FormatEndpoint(local)} -> {FormatEndpoint(remote)} {connection.State} by {connection.Process.Name} (pid {connection.Process.Pid})");
        WriteLog(writer, "info");
        WriteProduct(writer);

        writer.WriteStartObject("event"u8);
        writer.WriteString("kind"u8, "state");
        WriteEventId(writer);
        writer.WriteString("action"u8, "connection_snapshot");
        WriteStringArray(writer, "category"u8, "network");
        WriteStringArray(writer, "type"u8, "connection", "info");
        WriteCreated(writer);
        writer.WriteString("module"u8, Module);
        writer.WriteString("dataset"u8, "net_sentinel.snapshot");
        writer.WriteEndObject();

        ProcessJson process = ProcessJsonOf(connection.Process);
        WriteRawMembers(writer, output, process.Members);
        WriteEndpoints(writer, local, remote, connection.Transport, connection.BytesSent, connection.BytesReceived);
        WriteHost(writer);
        WriteRelated(writer, local, remote, null, connection.Process);

        writer.WriteStartObject("net_sentinel"u8);
        WriteCommonFigures(writer, record.Source, connection.Process);
        WriteString(writer, "state"u8, connection.State);
        writer.WriteNumber("connection_id"u8, connection.SocketId);
        WriteRawMembers(writer, output, process.ExtraMembers);
        writer.WriteEndObject();
    }

    /// <summary>A DNS query or answer: ECS dns.* with the asking process; source is this host, destination the server.</summary>
    private void WriteDns(Utf8JsonWriter writer, IBufferWriter<byte> output, DnsLogRecord record)
    {
        Dns.DnsEvent dns = record.Event;
        Dns.DnsMessage message = record.Message;
        string action = record.Action;
        string type = Dns.DnsRecordTypeText.Of(message.QuestionType);
        string text = message.IsResponse
            ? $"{action} {message.QuestionName} {type} {Dns.DnsRecordTypeText.ResponseCode(message.ResponseCode)} ({message.Answers.Count} answers) to {dns.Process.Name} (pid {dns.Process.Pid})"
            : $"{action} {message.QuestionName} {type} by {dns.Process.Name} (pid {dns.Process.Pid})";
        WriteString(writer, "message"u8, text);
        WriteLog(writer, "info");
        WriteProduct(writer);

        writer.WriteStartObject("event"u8);
        writer.WriteString("kind"u8, "event");
        WriteEventId(writer);
        writer.WriteString("action"u8, action);
        WriteStringArray(writer, "category"u8, "network");
        WriteStringArray(writer, "type"u8, "protocol", "info");
        WriteCreated(writer);
        writer.WriteString("module"u8, Module);
        writer.WriteString("dataset"u8, "net_sentinel.dns");
        writer.WriteEndObject();

        writer.WriteStartObject("dns"u8);
        writer.WriteString(LogFields.DnsType.Utf8Name, message.IsResponse ? "answer" : "query");
        writer.WriteString(LogFields.DnsId.Utf8Name, message.Id.ToString(CultureInfo.InvariantCulture));
        writer.WriteStartObject("question"u8);
        WriteString(writer, LogFields.DnsQuestionName.Utf8Name, message.QuestionName);
        writer.WriteString(LogFields.DnsQuestionType.Utf8Name, type);
        writer.WriteString("class"u8, "IN");
        if (message.QuestionName.Length > 0)
        {
            WriteString(writer, "registered_domain"u8, Dns.RegistrableDomain.Of(message.QuestionName));
        }
        writer.WriteEndObject();
        if (message.IsResponse)
        {
            writer.WriteString(LogFields.DnsResponseCode.Utf8Name, Dns.DnsRecordTypeText.ResponseCode(message.ResponseCode));
            writer.WriteStartArray(LogFields.DnsAnswers.Utf8Name);
            foreach (var answer in message.Answers)
            {
                writer.WriteStartObject();
                WriteString(writer, LogFields.AnswerName.Utf8Name, answer.Name);
                writer.WriteString(LogFields.AnswerType.Utf8Name, Dns.DnsRecordTypeText.Of(answer.Type));
                writer.WriteString("class"u8, "IN");
                writer.WriteNumber(LogFields.AnswerTtl.Utf8Name, answer.Ttl);
                WriteString(writer, LogFields.AnswerData.Utf8Name, answer.Data);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteStartArray("resolved_ip"u8);
            foreach (var answer in message.Answers)
            {
                if (answer.Address is { } address)
                {
                    writer.WriteStringValue(CanonicalAddress.Of(address).ToString());
                }
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();

        ProcessJson process = ProcessJsonOf(dns.Process);
        WriteRawMembers(writer, output, process.Members);
        if (dns.Server is not null)
        {
            WriteEndpoints(writer, dns.Local, dns.Server, dns.Transport, bytesSent: null, bytesReceived: null);
        }
        WriteHost(writer);
        WriteRelated(writer, dns.Local is null ? null : WithoutMapping(dns.Local), dns.Server is null ? null : WithoutMapping(dns.Server), null, dns.Process);

        writer.WriteStartObject("net_sentinel"u8);
        WriteCommonFigures(writer, record.Source, dns.Process);
        if (!message.Complete)
        {
            writer.WriteBoolean(LogFields.DnsTruncated.Utf8Name, true);
        }
        WriteRawMembers(writer, output, process.ExtraMembers);
        writer.WriteEndObject();
    }

    /// <summary>net_sentinel.domains: the other names known for the destination, when there are any.</summary>
    private static void WriteOtherDomains(Utf8JsonWriter writer, Dns.DomainNames? names)
    {
        if (names is null || names.Others.Count == 0)
        {
            return;
        }
        writer.WriteStartArray(LogFields.Domains.Utf8Name);
        foreach (string name in names.Others)
        {
            writer.WriteStringValue(Utf16Sanitizer.ReplaceLoneSurrogates(name));
        }
        writer.WriteEndArray();
    }

    private void WriteEventsLost(Utf8JsonWriter writer, EventsLostRecord record)
    {
        WriteString(writer, "message"u8, $"{record.Lost} events lost by the {record.Source} source ({record.TotalLost} since start)");
        WriteLog(writer, "warning");
        WriteProduct(writer);

        writer.WriteStartObject("event"u8);
        writer.WriteString("kind"u8, "metric");
        WriteEventId(writer);
        writer.WriteString("action"u8, "events_lost");
        WriteCreated(writer);
        writer.WriteString("module"u8, Module);
        writer.WriteString("dataset"u8, "net_sentinel.events_lost");
        writer.WriteEndObject();

        WriteHost(writer);

        writer.WriteStartObject("net_sentinel"u8);
        writer.WriteNumber("schema_version"u8, SchemaVersion);
        WriteString(writer, "source"u8, record.Source);
        writer.WriteNumber("lost"u8, record.Lost);
        writer.WriteNumber(LogFields.TotalLost.Utf8Name, record.TotalLost);
        writer.WriteEndObject();
    }

    /// <summary>An output (file, stdout, syslog) lost lines: its queue was full or its writer failed (docs/outputs.md).</summary>
    private void WriteOutputLinesDropped(Utf8JsonWriter writer, OutputLinesDroppedRecord record)
    {
        WriteString(writer, "message"u8, $"{record.Dropped} line(s) dropped by the {record.Output} output ({record.TotalDropped} since start): it did not keep up or could not write");
        WriteLog(writer, "warning");
        WriteProduct(writer);

        writer.WriteStartObject("event"u8);
        writer.WriteString("kind"u8, "metric");
        WriteEventId(writer);
        writer.WriteString("action"u8, "output_lines_dropped");
        WriteCreated(writer);
        writer.WriteString("module"u8, Module);
        writer.WriteString("dataset"u8, "net_sentinel.output_lines_dropped");
        writer.WriteEndObject();

        WriteHost(writer);

        writer.WriteStartObject("net_sentinel"u8);
        writer.WriteNumber("schema_version"u8, SchemaVersion);
        WriteString(writer, "source"u8, record.Source);
        WriteString(writer, "output"u8, record.Output);
        writer.WriteNumber("lines_dropped"u8, record.Dropped);
        writer.WriteNumber("total_lines_dropped"u8, record.TotalDropped);
        writer.WriteEndObject();
    }

    /// <summary>What happened to the log file itself: reopened, repaired, lines dropped on a full disk.</summary>
    private void WriteLogFileNotice(Utf8JsonWriter writer, LogFileNoticeRecord record)
    {
        WriteString(writer, "message"u8, record.Message);
        WriteLog(writer, "warning");
        WriteProduct(writer);

        writer.WriteStartObject("event"u8);
        writer.WriteString("kind"u8, record.Dropped is null ? "event" : "metric");
        WriteEventId(writer);
        WriteString(writer, "action"u8, record.Action);
        WriteCreated(writer);
        writer.WriteString("module"u8, Module);
        writer.WriteString("dataset"u8, "net_sentinel.log");
        writer.WriteEndObject();

        WriteHost(writer);

        writer.WriteStartObject("net_sentinel"u8);
        writer.WriteNumber("schema_version"u8, SchemaVersion);
        WriteString(writer, "source"u8, record.Source);
        if (record.Dropped is long dropped)
        {
            writer.WriteNumber("lines_dropped"u8, dropped);
        }
        if (record.TotalDropped is long total)
        {
            writer.WriteNumber("total_lines_dropped"u8, total);
        }
        writer.WriteEndObject();
    }

    private static void WriteLog(Utf8JsonWriter writer, string level)
    {
        writer.WriteStartObject("log"u8);
        writer.WriteString("level"u8, level);
        writer.WriteEndObject();
    }

    /// <summary>ecs.version and agent.*: which schema and which program wrote the line.</summary>
    private void WriteProduct(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("ecs"u8);
        writer.WriteString("version"u8, EcsVersion);
        writer.WriteEndObject();
        writer.WritePropertyName("agent"u8);
        writer.WriteRawValue(_agentJson, skipInputValidation: true);
    }

    private void WriteEventId(Utf8JsonWriter writer)
    {
        if (_nextEventId is not null)
        {
            writer.WriteString("id"u8, _nextEventId());
            return;
        }

        Span<byte> id = stackalloc byte[EventIds.Utf8Length];
        EventIds.Write(id, _clock.GetUtcNow());
        writer.WriteString("id"u8, id);
    }

    /// <summary>
    /// event.created: when net-sentinel wrote the line. @timestamp is when the thing happened (the kernel's
    /// time of a connect or close; the end of the window an alert judged), so lines are in file order by
    /// event.created and in event order by @timestamp.
    /// </summary>
    private void WriteCreated(Utf8JsonWriter writer) => WriteTimestamp(writer, "created"u8, _clock.GetUtcNow());

    private void WriteHost(Utf8JsonWriter writer)
    {
        writer.WritePropertyName("host"u8);
        writer.WriteRawValue(_hostJson, skipInputValidation: true);
    }

    private static void WriteThreat(Utf8JsonWriter writer, IReadOnlyList<ThreatTechnique> techniques)
    {
        writer.WriteStartObject("threat"u8);
        writer.WriteString("framework"u8, "MITRE ATT&CK");
        writer.WriteStartObject("tactic"u8);
        var tactics = techniques.DistinctBy(t => t.TacticId).ToArray();
        WriteStringArray(writer, "id"u8, [.. tactics.Select(t => t.TacticId)]);
        WriteStringArray(writer, "name"u8, [.. tactics.Select(t => t.TacticName)]);
        WriteStringArray(writer, "reference"u8, [.. tactics.Select(t => t.TacticReference)]);
        writer.WriteEndObject();
        writer.WriteStartObject("technique"u8);
        WriteStringArray(writer, "id"u8, [.. techniques.Select(t => t.Id)]);
        WriteStringArray(writer, "name"u8, [.. techniques.Select(t => t.Name)]);
        WriteStringArray(writer, "reference"u8, [.. techniques.Select(t => t.Reference)]);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The process's part of a line, formatted when the process is first written and copied after that.</summary>
    private ProcessJson ProcessJsonOf(ProcessInfo process) => _processes.Get(process, FormatProcessJson);

    /// <summary>Formatted with its texts cut to fit the line bound (<see cref="ProcessTextBudget"/>); cached under the process as given.</summary>
    private static ProcessJson FormatProcessJson(ProcessInfo process)
    {
        ProcessInfo fitted = ProcessTextBudget.Fit(process);
        var buffer = new ArrayBufferWriter<byte>(2048);
        byte[] members = Members(buffer, writer => WriteProcessAndUser(writer, fitted));
        byte[] extraMembers = Members(buffer, writer => WriteProcessExtras(writer, fitted));
        string name = Utf16Sanitizer.ReplaceLoneSurrogates(fitted.Name);
        // related.user as WriteRelated writes it: the process's user name as given.
        byte[] user = process.Pid > 0 && process.UserName is { } userName ? Utf8Line.Escape(userName) : [];
        return new ProcessJson(process, members, extraMembers, name, Utf8Line.Escape(name), user);
    }

    /// <summary>What <paramref name="write"/> writes as members of an object, each after its comma: <c>,"a":1,"b":{…}</c>.</summary>
    private static byte[] Members(ArrayBufferWriter<byte> buffer, Action<Utf8JsonWriter> write)
    {
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        ReadOnlySpan<byte> inner = buffer.WrittenSpan[1..^1]; // without the braces
        if (inner.IsEmpty)
        {
            return [];
        }

        var members = new byte[inner.Length + 1];
        members[0] = (byte)',';
        inner.CopyTo(members.AsSpan(1));
        return members;
    }

    /// <summary>
    /// Appends members formatted earlier (<see cref="Members"/>) after the last member the writer wrote. Utf8JsonWriter
    /// has no call for several raw members, so the writer hands what it holds to the output and the bytes follow;
    /// its state stays true (a member was written last at this depth), because the members carry their own comma
    /// and end with a whole value. Never the first member of an object.
    /// </summary>
    private static void WriteRawMembers(Utf8JsonWriter writer, IBufferWriter<byte> output, byte[] members)
    {
        if (members.Length == 0)
        {
            return;
        }

        writer.Flush();
        output.Write(members);
    }

    private static void WriteCommonFigures(Utf8JsonWriter writer, string source, ProcessInfo process)
    {
        writer.WriteNumber(LogFields.SchemaVersion.Utf8Name, SchemaVersion);
        WriteString(writer, LogFields.Source.Utf8Name, source);
        writer.WriteString(LogFields.Attribution.Utf8Name, AttributionName(process.IdentifiedBy));
    }

    /// <summary>
    /// process.*, user.*, container.* and orchestrator.*; left out entirely when the owner is unknown (pid 0).
    /// The parent is the first ancestor when the source keeps ancestry, else only its pid.
    /// </summary>
    private static void WriteProcessAndUser(Utf8JsonWriter writer, ProcessInfo process)
    {
        if (process.Pid <= 0)
        {
            return;
        }

        writer.WriteStartObject("process"u8);
        WriteProcessFields(writer, process);
        if (process.Ancestry.Count > 0)
        {
            writer.WriteStartObject("parent"u8);
            WriteProcessFields(writer, process.Ancestry[0]);
            writer.WriteEndObject();
        }
        else if (process.ParentPid > 0)
        {
            writer.WriteStartObject("parent"u8);
            writer.WriteNumber(LogFields.ProcessParentPid.Utf8Name, process.ParentPid);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();

        if (process.Uid >= 0 || process.UserName is not null)
        {
            writer.WriteStartObject("user"u8);
            if (process.Uid >= 0)
            {
                // ECS user.id is a keyword: the uid as a string.
                writer.WriteString(LogFields.UserId.Utf8Name, process.Uid.ToString(CultureInfo.InvariantCulture));
            }

            WriteOptionalString(writer, LogFields.UserName.Utf8Name, process.UserName);
            writer.WriteEndObject();
        }

        if (process.Container is { } container)
        {
            if (container.Id is not null || container.Runtime is not null)
            {
                writer.WriteStartObject("container"u8);
                WriteOptionalString(writer, "id"u8, container.Id);
                WriteOptionalString(writer, "runtime"u8, container.Runtime);
                writer.WriteEndObject();
            }

            if (container.PodUid is not null)
            {
                writer.WriteStartObject("orchestrator"u8);
                writer.WriteString("type"u8, "kubernetes");
                writer.WriteStartObject("resource"u8);
                writer.WriteString("type"u8, "pod");
                WriteString(writer, "id"u8, container.PodUid);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
        }
    }

    /// <summary>The ECS process fields one process (or its parent) has.</summary>
    private static void WriteProcessFields(Utf8JsonWriter writer, ProcessInfo process)
    {
        if (process.Pid > 0)
        {
            writer.WriteNumber(LogFields.ProcessPid.Utf8Name, process.Pid);
        }

        WriteOptionalString(writer, "entity_id"u8, process.EntityId);
        WriteString(writer, LogFields.ProcessName.Utf8Name, process.Name);
        WriteOptionalString(writer, LogFields.ProcessExecutable.Utf8Name, process.Executable);
        WriteOptionalString(writer, LogFields.ProcessCommandLine.Utf8Name, process.CommandLine);
        if (process.Args is { } args)
        {
            WriteStringArray(writer, "args"u8, [.. args.Select(Utf16Sanitizer.ReplaceLoneSurrogates)]);
            writer.WriteNumber("args_count"u8, args.Count);
        }

        if (process.Start is DateTimeOffset start)
        {
            WriteTimestamp(writer, "start"u8, start);
        }
    }

    /// <summary>
    /// What ECS has no field for, under net_sentinel: the ancestry (parent first), whether the executable path or
    /// the command line were cut, the executed file's device and inode, the cgroup path, the network namespace,
    /// the pod's QoS class.
    /// </summary>
    private static void WriteProcessExtras(Utf8JsonWriter writer, ProcessInfo process)
    {
        if (process.Pid <= 0)
        {
            return;
        }

        bool any = process.ExecutableTruncated || process.CommandLineTruncated || process.ExecutableInode is not null
                   || process.CgroupPath is not null || process.NetworkNamespace is not null || process.Container?.QosClass is not null;
        if (any)
        {
            writer.WriteStartObject("process"u8);
            if (process.ExecutableTruncated)
            {
                writer.WriteBoolean("executable_truncated"u8, true);
            }

            if (process.CommandLineTruncated)
            {
                writer.WriteBoolean("command_line_truncated"u8, true);
            }

            if (process.ExecutableInode is ulong inode)
            {
                writer.WriteNumber("executable_inode"u8, inode);
                if (process.ExecutableDevice is ulong device)
                {
                    writer.WriteNumber("executable_device"u8, device);
                }
            }

            WriteOptionalString(writer, "cgroup"u8, process.CgroupPath);
            if (process.NetworkNamespace is ulong netns)
            {
                writer.WriteNumber("network_namespace"u8, netns);
            }

            WriteOptionalString(writer, "pod_qos_class"u8, process.Container?.QosClass);
            writer.WriteEndObject();
        }

        if (process.Ancestry.Count > 0)
        {
            writer.WriteStartArray("ancestry"u8);
            foreach (ProcessInfo ancestor in process.Ancestry)
            {
                writer.WriteStartObject();
                WriteProcessFields(writer, ancestor with { Args = null, CommandLine = null });
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }
    }

    /// <summary>
    /// source.* (this host's end), destination.* (the peer) and network.*; all outbound, hence egress. An
    /// unbound socket's unspecified local address (0.0.0.0, ::) names no host: source.ip is left out then.
    /// </summary>
    private static void WriteEndpoints(Utf8JsonWriter writer, IPEndPoint? local, IPEndPoint? remote, Transport? transport, long? bytesSent, long? bytesReceived,
        Dns.DomainNames? names = null)
    {
        local = local is null ? null : WithoutMapping(local);
        remote = remote is null ? null : WithoutMapping(remote);
        if (local is not null)
        {
            WriteEndpoint(writer, "source"u8, local, bytesSent);
        }

        if (remote is not null)
        {
            WriteEndpoint(writer, "destination"u8, remote, bytesReceived, names);
        }

        IPAddress? family = remote?.Address ?? local?.Address;
        if (transport is null && family is null)
        {
            return;
        }

        writer.WriteStartObject("network"u8);
        if (transport is Transport t)
        {
            writer.WriteString(LogFields.NetworkTransport.Utf8Name, TransportNames.Of(t));
            writer.WriteString("iana_number"u8, t == Transport.Udp ? "17" : "6");
        }

        if (family is not null)
        {
            writer.WriteString("type"u8, family.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4");
        }

        writer.WriteString("direction"u8, "egress");
        if (bytesSent >= 0 && bytesReceived >= 0)
        {
            writer.WriteNumber("bytes"u8, bytesSent.Value + bytesReceived.Value);
        }

        if (transport is Transport known && local is not null && remote is not null && HasCommunityId(local, remote))
        {
            Span<byte> communityId = stackalloc byte[CommunityId.MaxUtf8Length];
            int length = CommunityId.Format(communityId, local.Address, local.Port, remote.Address, remote.Port,
                known == Transport.Udp ? CommunityId.Udp : CommunityId.Tcp);
            writer.WriteString("community_id"u8, communityId[..length]);
        }

        writer.WriteEndObject();
    }

    private static void WriteEndpoint(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IPEndPoint endpoint, long? bytes, Dns.DomainNames? names = null)
    {
        // source.* and destination.* hold the same leaves (ip, port, bytes); the source rows of LogFields name them.
        writer.WriteStartObject(name);
        // This host's unspecified address (0.0.0.0, ::: an unbound UDP socket) names no host and is left out. A
        // peer's is kept: connect() to 0.0.0.0 reaches this host, and the line must say where it went.
        if (name.SequenceEqual("destination"u8) || IsSpecified(endpoint.Address))
        {
            WriteAddress(writer, LogFields.SourceIp.Utf8Name, endpoint.Address);
        }

        if (names is not null)
        {
            WriteString(writer, LogFields.DestinationDomain.Utf8Name, names.Domain);
            WriteString(writer, "registered_domain"u8, names.RegistrableDomain);
        }

        // Port 0 means "not known" (a refused connect may never show it): leave it out rather than claim port 0.
        if (endpoint.Port != 0)
        {
            writer.WriteNumber(LogFields.SourcePort.Utf8Name, endpoint.Port);
        }
        if (bytes >= 0)
        {
            writer.WriteNumber(LogFields.SourceBytes.Utf8Name, bytes.Value);
        }

        writer.WriteEndObject();
    }

    /// <summary>related.ip (every address on the line) and related.user, the fields a SIEM pivots on.</summary>
    private static void WriteRelated(Utf8JsonWriter writer, IPEndPoint? local, IPEndPoint? remote, IReadOnlyList<IPAddress>? others, ProcessInfo process)
    {
        List<IPAddress> addresses = t_related ??= new List<IPAddress>(4);
        addresses.Clear();
        AddAddress(addresses, local?.Address);
        AddAddress(addresses, remote?.Address);
        if (others is not null)
        {
            foreach (IPAddress other in others)
            {
                AddAddress(addresses, other);
            }
        }

        string? user = process.Pid > 0 ? process.UserName : null;
        if (addresses.Count == 0 && user is null)
        {
            return;
        }

        writer.WriteStartObject("related"u8);
        if (addresses.Count > 0)
        {
            writer.WriteStartArray("ip"u8);
            foreach (IPAddress address in addresses)
            {
                WriteAddressValue(writer, address);
            }

            writer.WriteEndArray();
        }

        if (user is not null)
        {
            WriteStringArray(writer, "user"u8, Utf16Sanitizer.ReplaceLoneSurrogates(user));
        }

        writer.WriteEndObject();
    }

    private static void AddAddress(List<IPAddress> addresses, IPAddress? address)
    {
        if (address is null || !IsSpecified(address))
        {
            return;
        }

        IPAddress canonical = CanonicalAddress.Of(address);
        if (!addresses.Contains(canonical))
        {
            addresses.Add(canonical);
        }
    }

    /// <summary>An address as a JSON string, formatted straight into the line.</summary>
    private static void WriteAddress(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IPAddress address)
    {
        Span<byte> text = stackalloc byte[MaxAddressLength];
        address.TryFormat(text, out int written);
        writer.WriteString(name, text[..written]);
    }

    private static void WriteAddressValue(Utf8JsonWriter writer, IPAddress address)
    {
        Span<byte> text = stackalloc byte[MaxAddressLength];
        address.TryFormat(text, out int written);
        writer.WriteStringValue(text[..written]);
    }

    /// <summary>A flow has a community id once both ends' addresses and ports are known (and of one family).</summary>
    private static bool HasCommunityId(IPEndPoint local, IPEndPoint remote) =>
        local.Port > 0 && remote.Port > 0 && IsSpecified(local.Address) && IsSpecified(remote.Address) && local.AddressFamily == remote.AddressFamily;

    private static bool IsSpecified(IPAddress address) => !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any);

    /// <summary>
    /// An IPv4-mapped IPv6 address (::ffff:198.51.100.2, what a dual-stack socket reports) is an IPv4
    /// peer and is written as one, so the same destination is spelled the same way from every socket.
    /// A scope id is dropped: ECS ip fields hold a bare address.
    /// </summary>
    internal static IPEndPoint WithoutMapping(IPEndPoint endpoint) => CanonicalAddress.Of(endpoint);

    private static byte[] HostJson(HostIdentity host)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            WriteString(writer, "name"u8, host.Name);
            WriteOptionalString(writer, "id"u8, host.Id);
            if (host.Addresses.Count > 0)
            {
                WriteStringArray(writer, "ip"u8, [.. host.Addresses.Select(a => a.ToString())]);
            }

            if (host.OsType is not null || host.OsName is not null || host.OsKernel is not null)
            {
                writer.WriteStartObject("os"u8);
                WriteOptionalString(writer, "type"u8, host.OsType);
                WriteOptionalString(writer, "family"u8, host.OsFamily);
                WriteOptionalString(writer, "platform"u8, host.OsPlatform);
                WriteOptionalString(writer, "name"u8, host.OsName);
                WriteOptionalString(writer, "version"u8, host.OsVersion);
                WriteOptionalString(writer, "full"u8, host.OsFull);
                WriteOptionalString(writer, "kernel"u8, host.OsKernel);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] AgentJson(string version)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("name"u8, AgentName);
            writer.WriteString("type"u8, AgentName);
            WriteString(writer, "version"u8, version);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The release (<c>0.2.0</c>), without the SDK's "+commit" suffix.</summary>
    private static string ProductVersion()
    {
        string informational = typeof(EcsJsonFormatter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        int plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }

    private static string FormatEndpoint(IPEndPoint endpoint) => endpoint.ToString();

    /// <summary>Longest text of an IPv6 address with an IPv4 tail (and a scope id, which canonical addresses never have).</summary>
    private const int MaxAddressLength = 65;

    /// <summary>Length of <c>2025-03-14T13:09:26.535Z</c>.</summary>
    internal const int TimestampLength = 24;

    /// <summary>Every timestamp on a line: UTC, milliseconds (truncated, not rounded), a trailing Z.</summary>
    private static void WriteTimestamp(Utf8JsonWriter writer, ReadOnlySpan<byte> name, DateTimeOffset timestamp)
    {
        Span<byte> text = stackalloc byte[TimestampLength];
        FormatTimestamp(timestamp, text);
        writer.WriteString(name, text);
    }

    /// <summary>
    /// yyyy-MM-ddTHH:mm:ss.fffZ in UTC, written digit by digit: DateTime's custom format strings were the largest
    /// single cost of a line (a dozen timestamps per line with a process's ancestry).
    /// </summary>
    internal static void FormatTimestamp(DateTimeOffset timestamp, Span<byte> text)
    {
        // A line's times mostly repeat a millisecond another time on it or on the line before (a connect's start and
        // @timestamp, the drain's event.created): four slots by millisecond, per thread, each its last text.
        long millisecond = timestamp.UtcTicks / TimeSpan.TicksPerMillisecond;
        long[] keys = t_timestampKeys ??= new long[4];
        byte[] texts = t_timestampTexts ??= new byte[4 * TimestampLength];
        int slot = (int)(millisecond & 3);
        Span<byte> cached = texts.AsSpan(slot * TimestampLength, TimestampLength);
        if (keys[slot] != millisecond + 1) // + 1: a fresh slot (0) is never a hit
        {
            FormatTimestampDigits(timestamp, cached);
            keys[slot] = millisecond + 1;
        }
        cached.CopyTo(text);
    }

    [ThreadStatic]
    private static long[]? t_timestampKeys;

    [ThreadStatic]
    private static byte[]? t_timestampTexts;

    private static void FormatTimestampDigits(DateTimeOffset timestamp, Span<byte> text)
    {
        DateTime utc = timestamp.UtcDateTime;
        utc.Deconstruct(out int year, out int month, out int day);
        Digits(text[..4], year);
        text[4] = (byte)'-';
        Digits(text.Slice(5, 2), month);
        text[7] = (byte)'-';
        Digits(text.Slice(8, 2), day);
        text[10] = (byte)'T';
        Digits(text.Slice(11, 2), utc.Hour);
        text[13] = (byte)':';
        Digits(text.Slice(14, 2), utc.Minute);
        text[16] = (byte)':';
        Digits(text.Slice(17, 2), utc.Second);
        text[19] = (byte)'.';
        Digits(text.Slice(20, 3), utc.Millisecond);
        text[23] = (byte)'Z';
    }

    /// <summary><paramref name="value"/> in exactly <c>digits.Length</c> decimal digits, zero-padded.</summary>
    private static void Digits(Span<byte> digits, int value)
    {
        for (int i = digits.Length - 1; i >= 0; i--)
        {
            digits[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }


    private static ReadOnlySpan<byte> AttributionName(AttributionSource source) => source switch
    {
        AttributionSource.Kernel => "kernel"u8,
        AttributionSource.Proc => "proc"u8,
        AttributionSource.Etw => "etw"u8,
        AttributionSource.IpHelper => "ip_helper"u8,
        _ => "unknown"u8,
    };

    private static void WriteStringArray(Utf8JsonWriter writer, ReadOnlySpan<byte> name, params ReadOnlySpan<string> values)
    {
        writer.WriteStartArray(name);
        foreach (string value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// A figure that can be fractional, always with a decimal point or exponent so its JSON type never changes
    /// (7500000 is written 7500000.0). Utf8JsonWriter cannot write NaN or infinity; such a figure is unknown, so left out.
    /// </summary>
    private static void WriteFloat(Utf8JsonWriter writer, ReadOnlySpan<byte> name, double value)
    {
        if (!double.IsFinite(value))
        {
            return;
        }

        Span<byte> text = stackalloc byte[40];
        value.TryFormat(text, out int written, "R", CultureInfo.InvariantCulture);
        if (text[..written].IndexOfAny((byte)'.', (byte)'E') < 0)
        {
            ".0"u8.CopyTo(text[written..]);
            written += 2;
        }

        writer.WritePropertyName(name);
        writer.WriteRawValue(text[..written], skipInputValidation: true);
    }

    private static void WriteOptionalString(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            WriteString(writer, name, value);
        }
    }

    /// <summary>Every string goes through here: it may come from a hostile process.</summary>
    private static void WriteString(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string value) =>
        writer.WriteString(name, Utf16Sanitizer.ReplaceLoneSurrogates(value));
}
