using System.Buffers;
using System.Text;

namespace NetSentinel.Core.Output.Pipeline;

/// <summary>
/// One formatter, several outputs. Each record is formatted once (the JSON line; the human line and
/// the syslog header only if an output wants them) into reusable buffers and copied into the queue
/// of every output that takes that kind of line. Nothing here waits for an output, except the file for an
/// alert or notice when its queue is full: see <see cref="QueuedOutput"/>. Called from the monitor's thread only.
/// <para>
/// Loss is never silent: an output that dropped lines since the last report gets an
/// <see cref="OutputLinesDroppedRecord"/> written to every output (at most one per output per
/// <see cref="DropReportSpacing"/>), and the counts are in <see cref="Outputs"/> for the stop summary and metrics.
/// </para>
/// </summary>
public sealed class OutputPipeline : IRecordSink
{
    /// <summary>Least time between two output_lines_dropped lines about the same output.</summary>
    public static readonly TimeSpan DropReportSpacing = TimeSpan.FromSeconds(1);

    private readonly EcsJsonFormatter _formatter;
    private readonly Func<LogRecord, string?>? _textLine;
    private readonly SyslogHeader? _syslogHeader;
    private readonly TimeProvider _clock;
    private readonly QueuedOutput[] _outputs;
    private readonly long[] _droppedReported;
    private readonly ArrayBufferWriter<byte> _json = new(4096);
    private readonly ArrayBufferWriter<byte> _text = new(1024);
    private readonly ArrayBufferWriter<byte> _syslog = new(4096);
    private DateTimeOffset _lastDropReport = DateTimeOffset.MinValue;
    private bool _disposed;

    /// <param name="textLine">The human line for <see cref="OutputFormat.Text"/> outputs (null = the record has none).</param>
    /// <param name="syslogHeader">The header for <see cref="OutputFormat.Syslog"/> outputs.</param>
    public OutputPipeline(EcsJsonFormatter formatter, IReadOnlyList<QueuedOutput> outputs, Func<LogRecord, string?>? textLine = null,
        SyslogHeader? syslogHeader = null, TimeProvider? clock = null)
    {
        _formatter = formatter;
        _outputs = [.. outputs];
        _droppedReported = new long[_outputs.Length];
        _textLine = textLine;
        _syslogHeader = syslogHeader;
        _clock = clock ?? TimeProvider.System;
        if (_outputs.Any(o => o.Format == OutputFormat.Text) && textLine is null)
            throw new ArgumentException("a text output needs a text line formatter", nameof(textLine));
        if (_outputs.Any(o => o.Format == OutputFormat.Syslog) && syslogHeader is null)
            throw new ArgumentException("a syslog output needs a syslog header", nameof(syslogHeader));
    }

    public IReadOnlyList<QueuedOutput> Outputs => _outputs;

    public void Write(LogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Per-event lines (connections, DNS messages, snapshot rows) are what "alerts" outputs leave out;
        // alerts and the monitor's notices, and any kind added later, go everywhere.
        bool isConnection = record is ConnectionLogRecord or DnsLogRecord or ConnectionSnapshotRecord;
        ReadOnlySpan<byte> json = default;
        bool formatted = false, text = false, syslog = false;
        foreach (var output in _outputs)
        {
            if (isConnection && output.Lines == OutputLines.Alerts) continue;
            switch (output.Format)
            {
                case OutputFormat.Json:
                    if (!formatted)
                    {
                        formatted = true;
                        if (isConnection)
                        {
                            // The first output to take it gets it formatted straight into its queue, the others a copy.
                            json = FormatInto(output, record);
                            break;
                        }
                        json = FormatJson(record);
                    }
                    output.TryEnqueue(json, isConnection);
                    break;
                case OutputFormat.Text:
                    if (!text)
                    {
                        FormatText(record);
                        text = true;
                    }
                    if (_text.WrittenCount > 0) output.TryEnqueue(_text.WrittenSpan, isConnection);
                    break;
                case OutputFormat.Syslog:
                    if (!syslog)
                    {
                        if (!formatted)
                        {
                            json = FormatJson(record);
                            formatted = true;
                        }
                        _syslog.ResetWrittenCount();
                        _syslogHeader!.Write(record, _syslog);
                        _syslog.Write(json);
                        syslog = true;
                    }
                    output.TryEnqueue(_syslog.WrittenSpan, isConnection);
                    break;
            }
        }
    }

    /// <summary>The monitor ended a drain: every output writes what it has queued, and new drops are reported.</summary>
    public void Flush()
    {
        ReportDrops();
        foreach (var output in _outputs) output.Flush();
    }

    /// <summary>
    /// Writes what is queued and stops each output within its <see cref="QueuedOutput.StopTimeout"/>, the
    /// quickest first: what a stuck console still held is counted, and that count reaches the outputs
    /// still running (the file) before they stop.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        foreach (var output in _outputs.OrderBy(o => o.StopTimeout))
        {
            ReportDrops(force: true);
            output.Stop(output.StopTimeout);
        }
        _disposed = true;
        foreach (var output in _outputs) output.Dispose();
    }

    private ReadOnlySpan<byte> FormatJson(LogRecord record)
    {
        _json.ResetWrittenCount();
        _formatter.WriteLine(record, _json);
        return _json.WrittenSpan;
    }

    /// <summary>A per-event line formatted straight into <paramref name="output"/>'s queue (queued, or dropped and counted); its text, for the other outputs.</summary>
    private ReadOnlySpan<byte> FormatInto(QueuedOutput output, LogRecord record)
    {
        try
        {
            _formatter.WriteLine(record, output.BeginPerEventLine());
        }
        catch
        {
            output.AbandonPerEventLine();
            throw;
        }
        output.EndPerEventLine(out ReadOnlySpan<byte> line);
        return line;
    }

    private void FormatText(LogRecord record)
    {
        _text.ResetWrittenCount();
        if (_textLine!(record) is not { } line) return;
        Span<byte> span = _text.GetSpan(Encoding.UTF8.GetMaxByteCount(line.Length) + 1);
        int n = Encoding.UTF8.GetBytes(line, span);
        span[n] = (byte)'\n';
        _text.Advance(n + 1);
    }

    private void ReportDrops(bool force = false)
    {
        var now = _clock.GetUtcNow();
        if (!force && now - _lastDropReport < DropReportSpacing) return;
        List<OutputLinesDroppedRecord>? reports = null;
        for (int i = 0; i < _outputs.Length; i++)
        {
            long lost = _outputs[i].LinesDropped + _outputs[i].LinesFailed;
            if (lost == _droppedReported[i]) continue;
            (reports ??= []).Add(new OutputLinesDroppedRecord
            {
                Timestamp = now,
                Source = "monitor",
                Output = _outputs[i].Name,
                Dropped = lost - _droppedReported[i],
                TotalDropped = lost,
            });
            _droppedReported[i] = lost;
        }
        if (reports is null) return;
        _lastDropReport = now;
        foreach (var report in reports) Write(report);
    }
}
