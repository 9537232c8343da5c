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
        string time = LocalTime(record.Timestamp);
        return record switch
        {
            AlertRecord a => $"{time} ALERT {a.Severity.ToString().ToLowerInvariant()} {a.Rule}: {TerminalText.Safe(a.Message)}",
            ConnectionLogRecord c => $"{time} {c.Action,-18} {Describe(c.Event)}",
            EventsLostRecord l => $"{time} EVENTS LOST: {l.Lost} (total {l.TotalLost})",
            OutputLinesDroppedRecord d => $"{time} OUTPUT {d.Output} DROPPED: {d.Dropped} line(s) (total {d.TotalDropped})",
            _ => null,
        };
    }

    // With --log-connections this runs for every connection: the last second's clock text and the last process's
    // name are kept rather than made again for each line (a time-zone conversion and a character scan per line).
    // (Tuples, not value tuples: each is replaced whole, so a reader on another thread never sees half of one.)
    private static Tuple<long, string> s_lastTime = Tuple.Create(long.MinValue, "");
    private static Tuple<ProcessInfo, string>? s_lastWho;

    private static string LocalTime(DateTimeOffset timestamp)
    {
        long second = timestamp.UtcTicks / TimeSpan.TicksPerSecond;
        var last = s_lastTime;
        if (last.Item1 == second) return last.Item2;
        string text = timestamp.ToLocalTime().ToString("HH:mm:ss");
        s_lastTime = Tuple.Create(second, text);
        return text;
    }

    private static string Who(ProcessInfo process)
    {
        if (s_lastWho is { } last && ReferenceEquals(last.Item1, process)) return last.Item2;
        string text = $"{TerminalText.Safe(process.Name, 32)} (pid {process.Pid})";
        s_lastWho = Tuple.Create(process, text);
        return text;
    }

    private static string Describe(ConnectionEvent e)
    {
        string who = Who(e.Process);
        string proto = TransportNames.Of(e.Transport);
        string flow = $"{proto} {ConnectionTable.Format(e.Local)} -> {ConnectionTable.Format(e.Remote)}";
        return e.Kind == ConnectionEventKind.Closed
            ? $"{who} {flow} sent {HumanFormat.Bytes(e.BytesSent)} received {HumanFormat.Bytes(e.BytesReceived)} in {HumanFormat.Duration(e.Duration)}"
            : $"{who} {flow}";
    }

    public void Dispose() => output.Flush();
}
