using System.Text.Json;
using NetSentinel.Core.Output;

namespace NetSentinel.Cli.SelfTest;

/// <summary>
/// Reads the alert lines of a log the monitor wrote (JSON Lines, ECS): <c>event.kind</c> "alert", <c>rule.name</c>,
/// <c>event.severity</c>, <c>process.*</c> and <c>net_sentinel.incident.phase</c>. Other lines are skipped; a line
/// that is not JSON is counted (the monitor never writes one, so a count above zero is itself a finding).
/// </summary>
public static class AlertLog
{
    public static (List<AlertLine> Alerts, int Unreadable) Read(string path)
    {
        var alerts = new List<AlertLine>();
        int unreadable = 0;
        if (!File.Exists(path))
        {
            return (alerts, 0);
        }
        foreach (string line in File.ReadLines(path))
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
        return (alerts, unreadable);
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

    private static string? String(JsonElement root, string parent, string name) =>
        root.TryGetProperty(parent, out var o) && o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v)
        && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
