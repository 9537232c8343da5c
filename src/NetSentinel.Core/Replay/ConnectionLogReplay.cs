using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Replay;

/// <summary>
/// Re-runs the detectors over a log written with --log-connections, on event time: a <see cref="ReplayClock"/>
/// follows the lines' timestamps and intervals close every interval_seconds from the first event, as the live
/// monitor's did. The log has no per-interval Traffic lines, only each connection's lifetime totals on its close,
/// so a closed connection's bytes are replayed as one Traffic event at its close (all in the interval it closed
/// in): rates of long connections are concentrated there, which the live run spread over their life.
/// The replay learns the baseline from the log itself; it neither reads nor writes baseline.state_file.
/// </summary>
public sealed class ConnectionLogReplay(MonitorConfig config, IRecordSink output, AddressSet? blocklist = null)
{
    /// <summary>Alerts the replay wrote.</summary>
    public long AlertsWritten { get; private set; }

    /// <summary>Connection events fed to the detectors.</summary>
    public long EventsReplayed { get; private set; }

    /// <exception cref="ReplayException">A line is not a usable log line; nothing after it is replayed.</exception>
    public void Run(TextReader log, string path)
    {
        ArgumentNullException.ThrowIfNull(log);
        var effective = config with { LogConnections = false };
        ReplayClock? clock = null;
        DetectionPipeline? pipeline = null;
        DateTimeOffset nextBoundary = default;
        long lostTotal = 0;
        int number = 0;
        while (log.ReadLine() is { } text)
        {
            number++;
            if (ConnectionLogReader.Read(text, number, path) is not { } line)
            {
                continue;
            }
            if (line.TotalLost is { } total)
            {
                lostTotal = total;
                continue;
            }
            ConnectionEvent connectionEvent = line.Event!;
            if (pipeline is null)
            {
                clock = new ReplayClock(line.Timestamp);
                pipeline = new DetectionPipeline(effective, output, line.Source, clock, learnBaseline: true, blocklist: blocklist);
                nextBoundary = line.Timestamp + effective.Interval;
            }
            while (line.Timestamp >= nextBoundary)
            {
                clock!.Now = nextBoundary;
                pipeline.EndInterval(nextBoundary, lostTotal, hostBytesSentPerSecond: null);
                nextBoundary += effective.Interval;
            }
            clock!.Now = line.Timestamp;
            if (connectionEvent.Kind == ConnectionEventKind.Closed && (connectionEvent.BytesSent > 0 || connectionEvent.BytesReceived > 0))
            {
                pipeline.OnEvent(connectionEvent with { Kind = ConnectionEventKind.Traffic, Duration = TimeSpan.Zero, Failed = false });
            }
            pipeline.OnEvent(connectionEvent);
            EventsReplayed++;
        }
        if (pipeline is not null)
        {
            pipeline.EndInterval(clock!.Now, lostTotal, hostBytesSentPerSecond: null);
            pipeline.Flush(clock.Now);
            AlertsWritten = pipeline.AlertsWritten;
        }
    }
}
