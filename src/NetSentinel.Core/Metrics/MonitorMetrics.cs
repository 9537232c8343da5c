using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Monitoring;
using NetSentinel.Core.Output;
using NetSentinel.Core.Output.Pipeline;
using NetSentinel.Core.Sources;

namespace NetSentinel.Core.Metrics;

/// <summary>
/// The monitor's metrics (docs/metrics.md lists each one): every value is read, when scraped, from a
/// counter the monitor keeps anyway — nothing here runs on the monitor's thread.
/// </summary>
public static class MonitorMetrics
{
    private static readonly string[] Generations = ["0", "1", "2"];

    /// <param name="log">The log file, for its rotations and disk-full drops (null when there is none).</param>
    public static void Register(MetricsRegistry registry, IConnectionSource source, DetectionPipeline pipeline, MonitorLoop loop,
        OutputPipeline outputs, JsonlFileSink? log)
    {
        var counters = pipeline.Counters;
        string sourceName = source.Name;

        registry.Gauge("net_sentinel_info", "Always 1; the labels say which version runs and which event source it uses.", ["version", "source"],
            () => [new MetricSample(1, Version(), sourceName)]);

        // Events
        registry.Counter("net_sentinel_events_total", "Events the source delivered, by kind (opened, traffic, closed, resumed for connections; dns for DNS messages), before any filter.",
            ["source", "kind"], () => DetectionCounters.EventKinds.Select((kind, i) => new MetricSample(counters.Events(i), sourceName, kind)));
        registry.Counter("net_sentinel_events_analysed_total", "Connection events that reached the detectors: not loopback (unless include_loopback), not allowlisted.",
            ["kind"], () => DetectionCounters.EventKinds.Take(4).Select((kind, i) => new MetricSample(counters.Analysed(i), kind)));
        registry.Counter("net_sentinel_events_ignored_total", "Connection events left out before detection: loopback (include_loopback = false) or allowlisted.",
            ["reason"], () => [new MetricSample(counters.IgnoredLoopback, "loopback"), new MetricSample(counters.IgnoredAllowlist, "allowlist")]);
        registry.Counter("net_sentinel_events_lost_total", "Events the source lost, by cause: ring_buffer_full (the consumer fell behind the kernel), map_full (the kernel could not track a socket or flow), record_refused (malformed or wrong ABI), ledger_full (user space could not track a flow); other sources: unspecified.",
            ["cause"], () => LostByCause(source));
        if (source is ISourceBacklog backlog)
        {
            registry.Gauge("net_sentinel_ring_buffer_bytes", "Bytes the kernel queued in the event ring buffer that the monitor has not read yet (drained at least every 10 ms).",
                () => backlog.Backlog is { } b ? b.Queued : double.NaN);
            registry.Gauge("net_sentinel_ring_buffer_capacity_bytes", "Size of the event ring buffer; when it is full, events are lost (cause ring_buffer_full).",
                () => backlog.Backlog is { } b ? b.Capacity : double.NaN);
        }
        registry.Counter("net_sentinel_dns_messages_malformed_total", "DNS messages captured that could not be parsed (counted, never acted on).", () => counters.DnsMalformed);

        // Detection
        registry.Counter("net_sentinel_alerts_total", "Alert lines written, by rule, severity and incident phase (opened: a new incident; updated; closed).",
            ["rule", "severity", "phase"], () => counters.Alerts.Samples());
        registry.Gauge("net_sentinel_incidents_open", "Incidents open now (alerts folded per process and behaviour, not yet closed).", () => counters.OpenIncidents);
        registry.Gauge("net_sentinel_processes_tracked", "Processes held in memory: active this interval or holding a connection.", () => counters.Processes);
        registry.Gauge("net_sentinel_connections_tracked", "Outbound connections tracked as open.", () => counters.Connections);
        registry.Gauge("net_sentinel_dns_names_cached", "Address-to-name entries in the DNS name cache.", () => counters.Names);
        registry.Counter("net_sentinel_dns_names_evicted_total", "Name cache entries pushed out early because the cache was full (dns.cache_entries).", () => counters.NameEvictions);
        registry.Counter("net_sentinel_incidents_evicted_total", $"Incidents closed early, with their closing line, because {IncidentTracker.MaxOpenIncidents} were open.", () => counters.IncidentEvictions);
        registry.Counter("net_sentinel_beacon_series_evicted_total", $"Beacon series (one program's connection history to one destination) dropped because {BeaconDetector.MaxTrackedSeries} were held; a beacon among them starts its count again.", () => counters.BeaconSeriesEvictions);
        registry.Counter("net_sentinel_exfiltration_windows_evicted_total", $"Exfiltration windows (one program's bytes to one address) dropped because {ExfiltrationDetector.MaxTrackedPairs} were held; an upload among them starts its sum again.", () => counters.ExfiltrationPairEvictions);

        // Keeping up
        registry.Gauge("net_sentinel_drain_lag_seconds", "In the last drain, how long before it the oldest event happened (the source's timestamp to processing).",
            () => counters.DrainLag.TotalSeconds);
        registry.Gauge("net_sentinel_drain_lag_max_seconds", "The largest drain lag since the start.", () => counters.DrainLagMax.TotalSeconds);
        registry.Counter("net_sentinel_intervals_total", "Monitoring intervals closed.", () => loop.IntervalsClosed);
        registry.Gauge("net_sentinel_interval_close_delay_seconds", "How late after its boundary the last interval was closed.", () => loop.LastCloseDelay.TotalSeconds);
        registry.Counter("net_sentinel_interval_overruns_total", "Interval boundaries skipped because the monitor was more than a whole interval late.", () => loop.IntervalOverruns);

        // Outputs
        var all = outputs.Outputs;
        registry.Counter("net_sentinel_output_lines_total", "Lines each output wrote.", ["output"], () => all.Select(o => new MetricSample(o.LinesWritten, o.Name)));
        registry.Counter("net_sentinel_output_bytes_total", "Bytes each output wrote.", ["output"], () => all.Select(o => new MetricSample(o.BytesWritten, o.Name)));
        registry.Counter("net_sentinel_output_writes_total", "Writes each output made (one per batch of lines).", ["output"], () => all.Select(o => new MetricSample(o.Batches, o.Name)));
        registry.Counter("net_sentinel_output_lines_dropped_total", "Lines an output lost: queue_full (it did not keep up), write_failed (its writer failed: receiver gone, pipe closed), disk_full (the log file).",
            ["output", "reason"], () => Dropped(all, log));
        registry.Gauge("net_sentinel_output_queue_bytes", "Bytes waiting in each output's queue.", ["output"], () => all.Select(o => new MetricSample(o.QueuedBytes, o.Name)));
        registry.Gauge("net_sentinel_output_queue_capacity_bytes", "Most bytes each output's queue holds.", ["output"], () => all.Select(o => new MetricSample(o.CapacityBytes, o.Name)));
        if (log is not null)
        {
            registry.Counter("net_sentinel_log_rotations_total", "Times the log file was rotated.", () => log.Rotations);
            registry.Counter("net_sentinel_log_reopens_total", "Times the log path was reopened (deleted or moved away, SIGHUP).", () => log.Reopens);
        }

        // The process
        var started = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        registry.Gauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.", () => (started - DateTime.UnixEpoch).TotalSeconds);
        registry.Counter("process_cpu_seconds_total", "User and system CPU time of the process, in seconds.", () => Environment.CpuUsage.TotalTime.TotalSeconds);
        registry.Gauge("process_resident_memory_bytes", "Resident memory of the process, in bytes.", ResidentBytes);
        registry.Counter("net_sentinel_gc_collections_total", "Garbage collections of the .NET runtime, by generation.", ["generation"],
            () => Generations.Select((g, i) => new MetricSample(GC.CollectionCount(i), g)));
        registry.Gauge("net_sentinel_gc_heap_bytes", "Bytes the .NET heap holds (live objects and garbage not yet collected).", () => GC.GetTotalMemory(forceFullCollection: false));
    }

    private static IEnumerable<MetricSample> LostByCause(IConnectionSource source) =>
        source is IEventLossCauses causes
            ? causes.EventsLostByCause().Select(c => new MetricSample(c.Value, c.Key))
            : [new MetricSample(source.EventsLost, "unspecified")];

    private static IEnumerable<MetricSample> Dropped(IReadOnlyList<QueuedOutput> outputs, JsonlFileSink? log)
    {
        foreach (var o in outputs)
        {
            yield return new MetricSample(o.LinesDropped, o.Name, "queue_full");
            yield return new MetricSample(o.LinesFailed, o.Name, "write_failed");
        }
        if (log is not null) yield return new MetricSample(log.LinesDropped, "file", "disk_full");
    }

    /// <summary>Resident set size: /proc/self/statm on Linux (pages), the working set elsewhere.</summary>
    private static double ResidentBytes()
    {
        if (!OperatingSystem.IsLinux()) return Environment.WorkingSet;
        string[] fields = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(fields[1], CultureInfo.InvariantCulture) * (double)Environment.SystemPageSize;
    }

    /// <summary>The release (<c>0.2.0</c>), without the SDK's "+commit" suffix, as <c>agent.version</c> on the lines.</summary>
    private static string Version()
    {
        string informational = typeof(MonitorMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        int plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }
}
