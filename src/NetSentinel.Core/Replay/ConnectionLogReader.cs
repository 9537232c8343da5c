using System.Globalization;
using System.Net;
using System.Text.Json;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Replay;

/// <summary>
/// Turns one line of the JSON Lines log (docs/jsonl-schema.md) back into the event it recorded. Connection lines
/// (connection_opened, udp_flow, connection_closed, connection_failed) become events; events_lost lines give the
/// loss counter; alerts and snapshot rows are skipped. Anything else that claims to be a connection line but
/// lacks a field is an error naming the line.
/// </summary>
public static class ConnectionLogReader
{
    public static LoggedLine? Read(string line, int number, string path)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("not a JSON object");
            }
            DateTimeOffset timestamp = DateTimeOffset.Parse(Text(root, "@timestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            JsonElement @event = Object(root, "event");
            string action = Text(@event, "action");
            string kind = Text(@event, "kind");
            string source = root.TryGetProperty("net_sentinel", out var ns) && ns.TryGetProperty("source", out var s) ? s.GetString() ?? "replay" : "replay";
            if (kind == "metric" && action == "events_lost")
            {
                return new LoggedLine(timestamp, source, null, Object(root, "net_sentinel").GetProperty("total_lost").GetInt64());
            }
            if (kind != "event")
            {
                return null;
            }
            ConnectionEventKind eventKind = action switch
            {
                "connection_opened" or "udp_flow" => ConnectionEventKind.Opened,
                "connection_closed" or "connection_failed" => ConnectionEventKind.Closed,
                _ => throw new FormatException($"unknown connection action \"{action}\""),
            };
            JsonElement local = Object(root, "source");
            JsonElement remote = Object(root, "destination");
            JsonElement figures = Object(root, "net_sentinel");
            var connectionEvent = new ConnectionEvent
            {
                Kind = eventKind,
                Timestamp = timestamp,
                ConnectionId = figures.GetProperty("connection_id").GetUInt64(),
                Transport = Text(Object(root, "network"), "transport") switch
                {
                    "tcp" => Transport.Tcp,
                    "udp" => Transport.Udp,
                    var other => throw new FormatException($"network.transport must be \"tcp\" or \"udp\" (got \"{other}\")"),
                },
                Local = Endpoint(local, "source"),
                Remote = Endpoint(remote, "destination"),
                Process = Process(root, figures),
                BytesSent = local.TryGetProperty("bytes", out var sent) ? sent.GetInt64() : 0,
                BytesReceived = remote.TryGetProperty("bytes", out var received) ? received.GetInt64() : 0,
                Duration = eventKind == ConnectionEventKind.Closed && @event.TryGetProperty("duration", out var ns100)
                    ? TimeSpan.FromTicks(ns100.GetInt64() / 100) : TimeSpan.Zero,
                Failed = action == "connection_failed",
            };
            return new LoggedLine(timestamp, source, connectionEvent, null);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or OverflowException or ArgumentException)
        {
            throw new ReplayException($"{MonitorConfigFile.OneLine(path)}:{number}: {MonitorConfigFile.OneLine(ex.Message)}", number);
        }
    }

    private static ProcessInfo Process(JsonElement root, JsonElement figures)
    {
        AttributionSource attribution = figures.TryGetProperty("attribution", out var a) ? a.GetString() switch
        {
            "kernel" => AttributionSource.Kernel,
            "proc" => AttributionSource.Proc,
            "etw" => AttributionSource.Etw,
            "ip_helper" => AttributionSource.IpHelper,
            _ => AttributionSource.Unknown,
        } : AttributionSource.Unknown;
        if (!root.TryGetProperty("process", out var process))
        {
            return ProcessInfo.Unknown with { IdentifiedBy = attribution };
        }
        long uid = -1;
        string? userName = null;
        if (root.TryGetProperty("user", out var user))
        {
            if (user.TryGetProperty("id", out var id) && !long.TryParse(id.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out uid))
            {
                throw new FormatException($"user.id must be a number in a string (got {id.GetRawText()})");
            }
            userName = user.TryGetProperty("name", out var n) ? n.GetString() : null;
        }
        return new ProcessInfo
        {
            Pid = process.GetProperty("pid").GetInt32(),
            ParentPid = process.TryGetProperty("parent", out var parent) ? parent.GetProperty("pid").GetInt32() : 0,
            Uid = uid,
            UserName = userName,
            Name = Text(process, "name"),
            Executable = process.TryGetProperty("executable", out var exe) ? exe.GetString() : null,
            CommandLine = process.TryGetProperty("command_line", out var cmd) ? cmd.GetString() : null,
            IdentifiedBy = attribution,
        };
    }

    private static IPEndPoint Endpoint(JsonElement element, string name)
    {
        // The writer leaves out what it does not know: an unbound socket's source address, a port not yet
        // assigned. Only this host's end may lack them; the peer is always known.
        bool local = name == "source";
        if (local && !element.TryGetProperty("ip", out _))
        {
            return new IPEndPoint(IPAddress.Any, element.TryGetProperty("port", out var bare) ? bare.GetInt32() : 0);
        }

        string ip = Text(element, "ip");
        if (!IPAddress.TryParse(ip, out var address))
        {
            throw new FormatException($"{name}.ip is not an IP address (got \"{ip}\")");
        }
        int port = local && !element.TryGetProperty("port", out _) ? 0 : element.GetProperty("port").GetInt32();
        return port is >= 0 and <= 65535 ? new IPEndPoint(address, port) : throw new FormatException($"{name}.port {port} is out of range");
    }

    private static JsonElement Object(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : throw new FormatException($"missing object \"{name}\"");

    private static string Text(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"missing string \"{name}\"");
}
