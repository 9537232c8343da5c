using System.Globalization;
using System.Text.Json;
using NetSentinel.Core.Output;

namespace NetSentinel.Cli.SelfTest;

/// <summary>
/// Reads what the monitor wrote (JSON Lines, ECS): the alert lines of its log (<c>event.kind</c> "alert", <c>rule.name</c>,
/// <c>event.severity</c>, <c>process.*</c> and <c>net_sentinel.incident.phase</c>; other lines are skipped, and a line
/// that is not JSON is counted: the monitor never writes one, so a count above zero is itself a finding), and
/// connection lines (<see cref="ConnectionLine"/>).
/// </summary>
public static class AlertLog
{
    /// <summary>Reads the log and the files it was rotated into, oldest first (x.jsonl.N … x.jsonl.1, then x.jsonl).</summary>
    public static (List<AlertLine> Alerts, int Unreadable) Read(string path)
    {
        var alerts = new List<AlertLine>();
        int unreadable = 0;
        foreach (string file in RotatedFiles(path).Append(path).Where(File.Exists))
        {
            foreach (string line in File.ReadLines(file))
            {
                if (line.Length == 0)
                {
                    continue;
                }
                try
                {
                    using var document = JsonDocument.Parse(line);
                    if (Parse(document.RootElement) is { } alert)
                    {
                        alerts.Add(alert);
                    }
                }
                catch (JsonException)
                {
                    unreadable++;
                }
            }
        }
        return (alerts, unreadable);
    }

    /// <summary>The connection lines among <paramref name="lines"/> (what the monitor printed); lines that are not JSON are skipped.</summary>
    public static List<ConnectionLine> ReadConnections(IEnumerable<string> lines)
    {
        var connections = new List<ConnectionLine>();
        foreach (string line in lines)
        {
            try
            {
                using var document = JsonDocument.Parse(line);
                if (ParseConnection(document.RootElement) is { } connection)
                {
                    connections.Add(connection);
                }
            }
            catch (JsonException)
            {
                // not a line of the log: a note
            }
        }
        return connections;
    }

    /// <summary>x.jsonl.N … x.jsonl.1: the rotated files that exist, oldest first.</summary>
    private static IEnumerable<string> RotatedFiles(string path)
    {
        int newest = 1;
        while (File.Exists($"{path}.{newest}"))
        {
            newest++;
        }
        for (int n = newest - 1; n >= 1; n--)
        {
            yield return $"{path}.{n}";
        }
    }

    public static AlertLine? Parse(JsonElement root)
    {
        if (String(root, "event", "kind") != "alert" || String(root, "rule", "name") is not { } rule)
        {
            return null;
        }
        var severity = root.TryGetProperty("event", out var e) && e.TryGetProperty("severity", out var s) && s.TryGetInt32(out int level)
            ? (Severity)level
            : Severity.Low;
        int pid = root.TryGetProperty("process", out var p) && p.TryGetProperty("pid", out var id) && id.TryGetInt32(out int n) ? n : 0;
        string? phase = root.TryGetProperty("net_sentinel", out var ns) && ns.TryGetProperty("incident", out var incident)
                        && incident.TryGetProperty("phase", out var ph) ? ph.GetString() : null;
        return new AlertLine(rule, severity, pid, String(root, "process", "executable"), String(root, "process", "name"), phase);
    }

    public static ConnectionLine? ParseConnection(JsonElement root)
    {
        if (String(root, "event", "kind") != "event" || String(root, "event", "action") is not { } action)
        {
            return null;
        }
        int pid = Number(root, "process", "pid") is { } n ? (int)n : 0;
        DateTimeOffset? start = String(root, "event", "start") is { } text
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
        string destination = $"{String(root, "destination", "ip")}:{Number(root, "destination", "port")}/{String(root, "network", "transport")}";
        return new ConnectionLine(action, pid, String(root, "process", "executable"), String(root, "process", "name"), start, destination,
            Number(root, "network", "bytes") ?? 0);
    }

    private static long? Number(JsonElement root, string parent, string name) =>
        root.TryGetProperty(parent, out var o) && o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v)
        && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n) ? n : null;

    private static string? String(JsonElement root, string parent, string name) =>
        root.TryGetProperty(parent, out var o) && o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v)
        && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
