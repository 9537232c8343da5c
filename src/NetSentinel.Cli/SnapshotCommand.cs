using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;
using NetSentinel.Core.Sources;

namespace NetSentinel.Cli;

/// <summary>
/// --once: one snapshot of the host's outbound connections, printed, scored by the same detectors
/// as the monitor (those that need no history: many_connections; new_destination only with --no-baseline
/// or baseline_samples = 0), alerts logged; exit 1 when anything alerted.
/// </summary>
public sealed class SnapshotCommand(MonitorConfig config, CliOptions options, IConnectionSnapshotProvider provider, TextWriter stdout, TextWriter stderr)
{
    public int Run()
    {
        var now = TimeProvider.System.GetUtcNow();
        var outbound = provider.Capture()
            // TIME_WAIT is the kernel's memory of a connection already closed: no process holds it.
            .Where(c => c.Direction == Direction.Outbound && c.State != "TIME_WAIT" && (config.IncludeLoopback || !c.IsLoopback))
            .OrderBy(c => c.Process.Pid).ThenBy(c => c.Remote.ToString(), StringComparer.Ordinal)
            .ToList();

        if (provider.DegradedReason is { } degraded) stderr.WriteLine($"net-sentinel: attribution is partial: {degraded}");

        using var log = LogSinks.OpenFile(config);
        IRecordSink console = options.Json ? new JsonlStreamSink(stdout) : new ConsoleRecordSink(stdout);
        using var output = new FanOutRecordSink(log, console);

        if (options.Json)
        {
            foreach (var connection in outbound)
                console.Write(new ConnectionSnapshotRecord { Timestamp = now, Source = "snapshot", Connection = connection });
        }
        else
        {
            ConnectionTable.Write(stdout, outbound);
            stdout.WriteLine("(no domain names: a snapshot has no DNS history; the continuous monitor names destinations from the answers it sees)");
            stdout.WriteLine();
        }

        var pipeline = new DetectionPipeline(config, output, "snapshot", TimeProvider.System, learnBaseline: !options.NoBaseline,
            blocklist: DetectionResources.LoadBlocklist(config));
        foreach (var connection in outbound.Where(c => c.Process.Pid != 0))
            pipeline.OnEvent(connection.ToEvent(ConnectionEventKind.Opened, now));
        pipeline.EndInterval(now, eventsLostTotal: 0, hostBytesSentPerSecond: null);

        if (!options.Json)
        {
            stdout.WriteLine(pipeline.AlertsWritten == 0
                ? $"{outbound.Count} outbound connections, no alerts."
                : $"{outbound.Count} outbound connections, {pipeline.AlertsWritten} alert(s) written to {config.LogFile}.");
        }
        return pipeline.AlertsWritten > 0 ? ExitCodes.AlertsFound : ExitCodes.Ok;
    }
}
