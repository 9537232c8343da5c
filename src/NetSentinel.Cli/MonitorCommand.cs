using System.Runtime.InteropServices;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Metrics;
using NetSentinel.Core.Model;
using NetSentinel.Core.Monitoring;
using NetSentinel.Core.Output;
using NetSentinel.Core.Output.Pipeline;
using NetSentinel.Core.Sources;

namespace NetSentinel.Cli;

/// <summary>
/// The continuous monitor (and --baseline-only): runs until SIGINT/SIGTERM or --duration, with
/// alerts to the log and stdout, and notes, baseline progress and the exit summary on stderr so
/// that stdout stays pure JSON with --json.
/// </summary>
public sealed class MonitorCommand(MonitorConfig config, CliOptions options, ISourceFactory sources, TextWriter stdout, TextWriter stderr)
{
    public int Run()
    {
        // Inputs named by the configuration first: a bad block list is a configuration error (exit 2),
        // found before anything is attached to the kernel.
        var blocklist = DetectionResources.LoadBlocklist(config);
        var blockedDomains = DetectionResources.LoadDomainBlocklist(config);
        // --no-baseline means "nothing is normal": the saved baseline is neither loaded nor overwritten.
        var baseline = options.NoBaseline
            ? new LearnedBaseline(config.BaselineIPv4Prefix, config.BaselineIPv6Prefix)
            : DetectionResources.LoadBaseline(config, stderr);

        using var source = sources.CreateLive(config.Source, stderr);
        var notes = new Lock();
        void Note(string note)
        {
            lock (notes) stderr.WriteLine($"net-sentinel: {note}");
        }
        using var log = LogSinks.OpenFile(config, Note);
        using var output = LogSinks.Open(config, log, options.Json, stdout, Note, source as ISourceBacklog);

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        // SIGHUP: reopen the log, as logrotate expects, instead of dying (the default action) with no summary.
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            try
            {
                log.Reopen("SIGHUP: reopened the log path");
            }
            catch (LogFileException e)
            {
                Note($"{e.Message} (after SIGHUP; the next line tries again)");
            }
        });
        string? stoppedBecause = null;
        log.Stopping += reason =>
        {
            stoppedBecause = reason;
            stop.Cancel();
        };

        // "watching" means ready: every signal handler is in place (a SIGHUP right after it must not kill us).
        foreach (var note in source.StartupNotes) stderr.WriteLine($"net-sentinel: {note}");
        stderr.WriteLine($"net-sentinel: watching outbound connections every {config.IntervalSeconds:0.###} s; alerts to {config.LogFile}");

        var pipeline = new DetectionPipeline(config, output, source.Name, TimeProvider.System, learnBaseline: !options.NoBaseline, baseline, blocklist, blockedDomains);
        var loop = new MonitorLoop(source, pipeline, config.Interval, TimeProvider.System, sources.HostBytesSentPerSecond());
        // Declared after the source, so it is disposed first: no scrape reads a source that has gone.
        using var metrics = StartMetrics(source, pipeline, loop, output, log);
        loop.IntervalClosed += summary =>
        {
            ReportProgress(summary);
            if (!options.NoBaseline) DetectionResources.SaveBaseline(config, pipeline.Baseline, stderr);
        };

        TimeSpan? duration = options.DurationSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
        int? maxIntervals = options.BaselineOnly ? Math.Max(config.BaselineSamples, 1) : null;
        try
        {
            loop.Run(stop.Token, duration, maxIntervals);
        }
        catch (LogFileException e)
        {
            // The log cannot be written (or the disk is full and disk_full_action is "stop"): stop with the summary.
            stoppedBecause ??= e.Message;
        }
        if (!options.NoBaseline) DetectionResources.SaveBaseline(config, pipeline.Baseline, stderr);
        output.Dispose(); // every queued line written (or, for a stuck output, counted) before the summary

        if (options.BaselineOnly) PrintBaseline(pipeline);
        string dropped = log.LinesDropped > 0 ? $", {log.LinesDropped} log line(s) dropped (disk full)" : string.Empty;
        stderr.WriteLine($"net-sentinel: stopped; {pipeline.AlertsWritten} alert(s) written, {source.EventsLost} event(s) lost{dropped}; " +
                         $"DNS: {pipeline.DnsMessagesSeen} message(s) read, {pipeline.DnsMessagesMalformed} malformed, {pipeline.Names.Count} name(s) cached, {pipeline.Names.Evictions} evicted{DropSummary(output)}");
        if (stoppedBecause is not null)
        {
            stderr.WriteLine($"net-sentinel: {stoppedBecause}");
            return ExitCodes.RuntimeError;
        }
        return ExitCodes.Ok;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // we exit through the normal path, flushing everything
            stop.Cancel();
        }
    }

    /// <summary>The Prometheus endpoint when [metrics] listen is set (null otherwise); a port in use is a runtime failure, exit 3.</summary>
    private MetricsServer? StartMetrics(IConnectionSource source, DetectionPipeline pipeline, MonitorLoop loop, OutputPipeline output, JsonlFileSink log)
    {
        if (config.MetricsListen.Length == 0) return null;
        var endpoint = MetricsEndpoint.TryParse(config.MetricsListen, out _)!; // checked with the configuration
        var registry = new MetricsRegistry();
        MonitorMetrics.Register(registry, source, pipeline, loop, output, log);
        try
        {
            var server = new MetricsServer(registry, endpoint);
            stderr.WriteLine(server.Port > 0
                ? $"net-sentinel: metrics at http://{FormatHost(endpoint)}:{server.Port}/metrics"
                : $"net-sentinel: metrics on Unix socket {endpoint} (GET /metrics)");
            return server;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw CliFailure.Runtime($"metrics.listen {endpoint}: cannot listen: {e.Message}");
        }

        static string FormatHost(MetricsEndpoint endpoint) =>
            endpoint.EndPoint is System.Net.IPEndPoint { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ip ? $"[{ip.Address}]" : ((System.Net.IPEndPoint)endpoint.EndPoint).Address.ToString();
    }

    /// <summary>"; stdout dropped 5000 line(s) (queue full), syslog lost 12 (write failed)" — empty when nothing was lost.</summary>
    private static string DropSummary(OutputPipeline output)
    {
        var parts = output.Outputs
            .Where(o => o.LinesDropped + o.LinesFailed > 0)
            .Select(o => $"{o.Name} dropped {o.LinesDropped} line(s) (queue full), {o.LinesFailed} (write failed)");
        string text = string.Join(", ", parts);
        return text.Length == 0 ? "" : $"; {text}";
    }

    private void ReportProgress(IntervalSummary summary)
    {
        if (options.Json) return;
        var baseline = summary.Baseline;
        if (baseline.IsLearning)
            stderr.WriteLine($"net-sentinel: learning baseline {baseline.SamplesSeen}/{baseline.SamplesRequired}");
        else if (summary.Processes.Count > 0)
            stderr.WriteLine($"net-sentinel: {StatusLine(summary)}");
    }

    /// <summary>"5 s: 3 processes, 12 connections open, 40 attempted (2 failed); top sender curl (pid 42) 1.2 MB/s".</summary>
    private static string StatusLine(IntervalSummary summary)
    {
        var processes = summary.Processes;
        int open = processes.Sum(p => p.OpenConnections);
        int attempts = processes.Sum(p => p.Attempts);
        int failures = processes.Sum(p => p.Failures);
        string line = $"{summary.End.ToLocalTime():HH:mm:ss} {HumanFormat.Duration(summary.Window)}: {processes.Count} process(es), {open} connection(s) open, {attempts} attempted ({failures} failed)";
        var top = processes[0]; // busiest sender first
        if (top.BytesSent > 0)
            line += $"; top sender {TerminalText.Safe(top.Name, 32)} (pid {top.Pid}) {HumanFormat.BytesPerSecond(top.BytesSentPerSecond)}";
        if (summary.EventsLostInWindow > 0) line += $"; {summary.EventsLostInWindow} event(s) LOST";
        return line;
    }

    private void PrintBaseline(DetectionPipeline pipeline)
    {
        var learned = pipeline.LearnedDestinations;
        stdout.WriteLine($"baseline: {learned.Count} destination(s) learned over {pipeline.BaselineProgress.SamplesSeen} interval(s)");
        var lines = learned.Select(d => $"{TerminalText.Safe(d.ProgramKey)} -> {ConnectionTable.Format(d.Remote)} {TransportNames.Of(d.Transport)}");
        foreach (var line in lines.Order(StringComparer.Ordinal)) stdout.WriteLine(line);
        stderr.WriteLine(config.BaselineStateFile.Length > 0
            ? $"net-sentinel: baseline saved to {config.BaselineStateFile} ({pipeline.Baseline.Count} destination block(s))"
            : "net-sentinel: baseline not saved: set baseline.state_file to keep it across restarts");
    }
}
