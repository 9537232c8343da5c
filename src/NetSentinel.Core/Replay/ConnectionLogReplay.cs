using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Dns;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Replay;

/// <summary>
/// Re-runs the detectors over a log written with --log-connections, on event time: a <see cref="ReplayClock"/>
/// follows the lines' timestamps and intervals close every interval_seconds from the first event, as the live
/// monitor's did. The log has no per-interval Traffic lines, only each connection's lifetime totals on its close,
/// so a closed connection's bytes are replayed as its close's unreported bytes (all in the interval it closed
/// in, as a live close carries its last delta): rates of long connections are concentrated there, which the live run spread over their life.
/// The replay learns the baseline from the log itself; it neither reads nor writes baseline.state_file.
/// Names come back from the log as the live run had them: a connection line's destination.domain and
/// net_sentinel.domains are its names (so the baseline, beacon series and the domain block list key on them), and
/// dns_query/dns_answer lines are fed to the pipeline as DNS events (the name cache, query-time block list hits,
/// dns_tunnel).
/// <para>
/// A bad line (not JSON, a connection line missing a field, longer than the line bound, cut short by a crash) is
/// skipped and counted, and the first few are kept for the summary; with <c>strict</c> the first one stops the
/// replay. Memory is bounded by the line bound and the detectors' own state; a jump in time costs at most
/// <see cref="MaxIntervalsClosedPerGap"/> interval closes, however long the gap.
/// </para>
/// </summary>
public sealed class ConnectionLogReplay(MonitorConfig config, IRecordSink output, AddressSet? blocklist = null, DomainBlocklist? blockedDomains = null)
{
    /// <summary>How many bad lines are kept word for word; the rest are only counted.</summary>
    public const int ProblemsKept = 10;

    private readonly List<string> _problems = [];

    /// <summary>Alerts the replay wrote.</summary>
    public long AlertsWritten { get; private set; }

    /// <summary>Connection events fed to the detectors.</summary>
    public long EventsReplayed { get; private set; }

    /// <summary>DNS queries and answers fed to the detectors.</summary>
    public long DnsMessagesReplayed { get; private set; }

    /// <summary>Lines read, including blank, ignored and bad ones.</summary>
    public long LinesRead { get; private set; }

    /// <summary>Lines skipped as unusable.</summary>
    public long BadLines { get; private set; }

    /// <summary>The first <see cref="ProblemsKept"/> bad lines, each <c>file:line: field: problem</c>.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>
    /// Closing an empty interval matters while the baseline learns (the live monitor counted idle intervals
    /// too); beyond this many, the intervals of a gap are skipped in one step.
    /// </summary>
    public int MaxIntervalsClosedPerGap => Math.Clamp(config.BaselineSamples + 1, 2, 1_000);

    /// <summary>Replays the text of a log (tests, small inputs).</summary>
    /// <exception cref="ReplayException">With <paramref name="strict"/>: the first bad line.</exception>
    public void Run(TextReader log, string path, bool strict = false)
    {
        ArgumentNullException.ThrowIfNull(log);
        using var bytes = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(log.ReadToEnd()));
        Run(bytes, path, strict);
    }

    /// <exception cref="ReplayException">With <paramref name="strict"/>: the first bad line; the alerts up to it are written.</exception>
    public void Run(Stream log, string path, bool strict = false, int maxLineBytes = BoundedLineReader.DefaultMaxLineBytes)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(path);
        var effective = config with { LogConnections = false };
        var reader = new BoundedLineReader(log, maxLineBytes);
        ReplayClock? clock = null;
        DetectionPipeline? pipeline = null;
        DateTimeOffset nextBoundary = default;
        long lostTotal = 0;
        try
        {
            while (reader.TryRead(out ReadOnlyMemory<byte> text, out bool tooLong))
            {
                LinesRead++;
                LoggedLine line;
                try
                {
                    line = tooLong
                        ? throw new LogLineException(null, $"longer than {InputFile.Size(maxLineBytes)}; not a line net-sentinel writes")
                        : ConnectionLogReader.Read(text);
                }
                catch (LogLineException problem)
                {
                    string message = $"{MonitorConfigFile.OneLine(path)}:{reader.LineNumber}: {MonitorConfigFile.OneLine(problem.Message)}";
                    if (strict)
                    {
                        BadLines++;
                        throw new ReplayException(message, reader.LineNumber);
                    }
                    Skip(message);
                    continue;
                }
                if (line.IsIgnored)
                {
                    continue;
                }
                if (line.TotalLost is { } total)
                {
                    lostTotal = total;
                    continue;
                }
                if (pipeline is null)
                {
                    clock = new ReplayClock(line.Timestamp);
                    pipeline = new DetectionPipeline(effective, output, line.Source, clock, learnBaseline: true, blocklist: blocklist, blockedDomains: blockedDomains);
                    nextBoundary = line.Timestamp + effective.Interval;
                }
                nextBoundary = CloseIntervalsUpTo(line.Timestamp, nextBoundary, effective.Interval, clock!, pipeline, lostTotal);
                clock!.Now = line.Timestamp;
                if (line.Dns is { } dns)
                {
                    pipeline.OnDns(dns);
                    DnsMessagesReplayed++;
                    continue;
                }
                ConnectionEvent connectionEvent = line.Event!;
                if (connectionEvent.Kind == ConnectionEventKind.Closed)
                {
                    // No Traffic line came before it: all its bytes are unreported, counted at its close.
                    connectionEvent = connectionEvent with { UnreportedSent = connectionEvent.BytesSent, UnreportedReceived = connectionEvent.BytesReceived };
                }
                pipeline.OnEvent(connectionEvent);
                EventsReplayed++;
            }
        }
        finally
        {
            if (pipeline is not null)
            {
                pipeline.EndInterval(clock!.Now, lostTotal, hostBytesSentPerSecond: null);
                pipeline.Flush(clock.Now);
                AlertsWritten = pipeline.AlertsWritten;
            }
        }
    }

    /// <summary>
    /// Closes every interval that ended before <paramref name="timestamp"/>, the first
    /// <see cref="MaxIntervalsClosedPerGap"/> one by one and the rest of a long gap in one step.
    /// </summary>
    private DateTimeOffset CloseIntervalsUpTo(DateTimeOffset timestamp, DateTimeOffset nextBoundary, TimeSpan interval, ReplayClock clock, DetectionPipeline pipeline, long lostTotal)
    {
        int closed = 0;
        while (timestamp >= nextBoundary)
        {
            clock.Now = nextBoundary;
            pipeline.EndInterval(nextBoundary, lostTotal, hostBytesSentPerSecond: null);
            nextBoundary += interval;
            if (++closed >= MaxIntervalsClosedPerGap && timestamp >= nextBoundary)
            {
                long skipped = (timestamp - nextBoundary).Ticks / interval.Ticks;
                nextBoundary += TimeSpan.FromTicks(skipped * interval.Ticks);
            }
        }
        return nextBoundary;
    }

    private void Skip(string message)
    {
        BadLines++;
        if (_problems.Count < ProblemsKept)
        {
            _problems.Add(message);
        }
    }
}
