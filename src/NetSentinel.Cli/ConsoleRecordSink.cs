using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Cli;

/// <summary>The human view of the log on stdout: one short line per alert, connection or loss.</summary>
public sealed class ConsoleRecordSink(TextWriter output) : IRecordSink
{
    public void Write(LogRecord record)
    {
        if (Line(record) is { } line)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    /// <summary>The human line for a record, without the newline; null for records the console does not show.</summary>
    public static string? Line(LogRecord record)
    {
        string time = record.Timestamp.ToLocalTime().ToString("HH:mm:ss");
        return record switch
        {
            AlertRecord a => $"{time} ALERT {a.Severity.ToString().ToLowerInvariant()} {a.Rule}: {TerminalText.Safe(a.Message)}",
            ConnectionLogRecord c => $"{time} {c.Action,-18} {Describe(c.Event)}",
            EventsLostRecord l => $"{time} EVENTS LOST: {l.Lost} (total {l.TotalLost})",
            OutputLinesDroppedRecord d => $"{time} OUTPUT {d.Output} DROPPED: {d.Dropped} line(s) (total {d.TotalDropped})",
            _ => null,
        };
    }

    private static string Describe(ConnectionEvent e)
    {
        string who = $"{TerminalText.Safe(e.Process.Name, 32)} (pid {e.Process.Pid})";
        string proto = TransportNames.Of(e.Transport);
        string flow = $"{proto} {ConnectionTable.Format(e.Local)} -> {ConnectionTable.Format(e.Remote)}";
        return e.Kind == ConnectionEventKind.Closed
            ? $"{who} {flow} sent {HumanFormat.Bytes(e.BytesSent)} received {HumanFormat.Bytes(e.BytesReceived)} in {HumanFormat.Duration(e.Duration)}"
            : $"{who} {flow}";
    }

    public void Dispose() => output.Flush();
}
