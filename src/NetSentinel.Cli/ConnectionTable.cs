using NetSentinel.Core.Detection;
using System.Net;
using NetSentinel.Core.Model;

namespace NetSentinel.Cli;

/// <summary>The human view of a snapshot: one aligned row per outbound connection.</summary>
public static class ConnectionTable
{
    private static readonly string[] Headers = ["PID", "PROCESS", "PROTO", "LOCAL", "REMOTE", "STATE", "SENT", "RECV"];

    public static void Write(TextWriter output, IReadOnlyList<ConnectionRecord> connections)
    {
        var rows = new List<string[]>(connections.Count + 1) { Headers };
        foreach (var c in connections)
        {
            rows.Add([
                c.Process.Pid == 0 ? "-" : c.Process.Pid.ToString(),
                TerminalText.Safe(c.Process.Name, 24),
                TransportNames.Of(c.Transport),
                Format(c.Local),
                Format(c.Remote),
                c.State,
                c.BytesSent < 0 ? "-" : HumanFormat.Bytes(c.BytesSent),
                c.BytesReceived < 0 ? "-" : HumanFormat.Bytes(c.BytesReceived),
            ]);
        }

        var widths = new int[Headers.Length];
        foreach (var row in rows)
            for (int i = 0; i < row.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);

        foreach (var row in rows)
        {
            var cells = row.Select((cell, i) => i >= row.Length - 2 ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]));
            output.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }

    public static string Format(IPEndPoint endpoint)
    {
        var address = CanonicalAddress.Of(endpoint.Address);
        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{address}]:{endpoint.Port}"
            : $"{address}:{endpoint.Port}";
    }
}
