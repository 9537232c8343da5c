namespace NetSentinel.Core.Configuration;

/// <summary>
/// The effective configuration: defaults, then the TOML file, then command-line flags.
/// Key names in comments are the TOML keys; the original tool's five keys keep their meaning and defaults.
/// <see cref="MonitorConfigFile"/> reads a file onto these defaults and enforces the bounds stated here;
/// <see cref="MonitorConfigToml"/> writes a configuration back as TOML (<c>--print-config</c>).
/// </summary>
public sealed record MonitorConfig
{
    // [general]
    /// <summary>general.interval_seconds: length of one aggregation interval. Seconds, &gt; 0 and at most 86400; integer or float.</summary>
    public double IntervalSeconds { get; init; } = 5;
    /// <summary>general.baseline_samples: intervals spent learning normal destinations before new_destination alerts. Integer &gt;= 0.</summary>
    public int BaselineSamples { get; init; } = 3;
    /// <summary>general.log_file: the JSON Lines alert log. A non-empty path.</summary>
    public string LogFile { get; init; } = "net_sentinel_events.jsonl";
    /// <summary>general.include_loopback: also watch connections to 127.0.0.0/8 and ::1.</summary>
    public bool IncludeLoopback { get; init; }
    /// <summary>general.source: auto, ebpf, etw or poll.</summary>
    public SourceKind Source { get; init; } = SourceKind.Auto;
    /// <summary>general.log_connections: also log every outbound connection and close, not only alerts.</summary>
    public bool LogConnections { get; init; }

    // [thresholds]
    /// <summary>thresholds.bytes_per_sec_threshold: per-process outbound bytes/second that raises high_send_rate. Integer &gt;= 0 (an integral float such as 2e6 is accepted).</summary>
    public long BytesPerSecThreshold { get; init; } = 5_000_000;
    /// <summary>thresholds.many_connections_threshold: outbound connections one process may hold (or attempt in one interval) before many_connections. Integer &gt;= 1.</summary>
    public int ManyConnectionsThreshold { get; init; } = 50;

    // [alerts]
    /// <summary>alerts.cooldown_seconds: a standing condition re-alerts at most once per cooldown (per rule, process and destination). Seconds, &gt;= 0 and at most one year.</summary>
    public double AlertCooldownSeconds { get; init; } = 300;

    // [log]
    /// <summary>log.max_size_mb: rotate the log when it would exceed this size, in MiB. &gt; 0 and at most 1048576.</summary>
    public double LogMaxSizeMb { get; init; } = 10;
    /// <summary>log.max_files: rotated files kept (net_sentinel_events.jsonl.1 .. .N). Integer, 1 to 1000.</summary>
    public int LogMaxFiles { get; init; } = 5;

    public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);
    public TimeSpan AlertCooldown => TimeSpan.FromSeconds(AlertCooldownSeconds);
    public long LogMaxSizeBytes => (long)(LogMaxSizeMb * 1024 * 1024);
}
