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
    /// <summary>alerts.cooldown_seconds: an open incident (a standing condition) writes an update at most once per cooldown. Seconds, &gt;= 0 and at most one year.</summary>
    public double AlertCooldownSeconds { get; init; } = 300;
    /// <summary>alerts.incident_quiet_seconds: an incident with no new evidence for this long closes with a line of totals. Seconds, &gt; 0 and at most one year.</summary>
    public double IncidentQuietSeconds { get; init; } = 60;

    // [log]
    /// <summary>log.max_size_mb: rotate the log when it would exceed this size, in MiB. &gt; 0 and at most 1048576.</summary>
    public double LogMaxSizeMb { get; init; } = 10;
    /// <summary>log.max_files: rotated files kept (net_sentinel_events.jsonl.1 .. .N). Integer, 1 to 1000.</summary>
    public int LogMaxFiles { get; init; } = 5;
    /// <summary>log.disk_full_action: drop (count the lines not written, keep monitoring) or stop (exit 3) when the log's disk is full.</summary>
    public Output.DiskFullAction LogDiskFullAction { get; init; } = Output.DiskFullAction.Drop;

    /// <summary>log.mode: the log's permission bits, set exactly on it and on every rotated file (Unix). 0600, 0640 or 0644.</summary>
    public int LogMode { get; init; } = Output.Files.LogFilePermissions.PrivateMode;
    /// <summary>log.group: the group the log is given, so a shipper in that group can read it with mode 0640 ("" = the monitor's own group; Unix).</summary>
    public string LogGroup { get; init; } = string.Empty;

    /// <summary>Which lines the log file gets (connection lines exist only with log_connections).</summary>
    public Output.Pipeline.OutputLines LogLines { get; init; } = Output.Pipeline.OutputLines.All;

    /// <summary>
    /// Which lines stdout gets (the human view, or JSON with --json); null ("auto") = every line on a terminal or
    /// with --json, alerts only otherwise (a service's journal, a pipe): the file already holds each connection line,
    /// and the human copy of it cost a quarter of the monitor's CPU per logged line (bench/log-cost.sh).
    /// </summary>
    public Output.Pipeline.OutputLines? StdoutLines { get; init; }

    // [syslog]
    /// <summary>syslog.target: "/dev/log" (or another Unix datagram socket path), "udp:ADDRESS:PORT" or "tcp:ADDRESS:PORT"; empty = no syslog output.</summary>
    public string SyslogTarget { get; init; } = string.Empty;
    /// <summary>Which lines the syslog output gets.</summary>
    public Output.Pipeline.OutputLines SyslogLines { get; init; } = Output.Pipeline.OutputLines.All;
    /// <summary>syslog.facility of every message.</summary>
    public Output.Pipeline.SyslogFacility SyslogFacility { get; init; } = Output.Pipeline.SyslogFacility.Daemon;

    // [metrics]
    /// <summary>metrics.listen: "ADDRESS:PORT" or a Unix socket path for the Prometheus endpoint; empty = off.</summary>
    public string MetricsListen { get; init; } = string.Empty;
    /// <summary>metrics.allow_remote: metrics.listen may be an address other hosts reach.</summary>
    public bool MetricsAllowRemote { get; init; }

    // [scan]
    /// <summary>scan.window_seconds: the sliding window distinct targets are counted over. Seconds, &gt; 0 and at most 86400.</summary>
    public double ScanWindowSeconds { get; init; } = 60;
    /// <summary>scan.distinct_hosts_threshold: distinct destination addresses of one process within the window that raise scan. Integer 1 to 65536.</summary>
    public int ScanDistinctHostsThreshold { get; init; } = 100;
    /// <summary>scan.distinct_ports_threshold: distinct destination ports of one process within the window that raise scan. Integer 1 to 65536.</summary>
    public int ScanDistinctPortsThreshold { get; init; } = 30;

    // [beacon]
    /// <summary>beacon.min_connections: connections to one destination before its regularity is scored. Integer 4 to history.</summary>
    public int BeaconMinConnections { get; init; } = 10;
    /// <summary>beacon.history: connection times (and sizes) kept per (process, destination). Integer 4 to 1024.</summary>
    public int BeaconHistory { get; init; } = 32;
    /// <summary>beacon.score_threshold: score (0 to 1, 1 = perfectly regular) at or above which beacon fires.</summary>
    public double BeaconScoreThreshold { get; init; } = 0.85;
    /// <summary>beacon.min_period_seconds: median gap below which a series is a burst, not a beacon. Seconds &gt;= 0.</summary>
    public double BeaconMinPeriodSeconds { get; init; } = 1;
    /// <summary>beacon.known_destinations: "low" (default), "ignore" or "alert" (medium) for periodic traffic to a destination in the program's learned baseline.</summary>
    public KnownDestinationSeverity BeaconKnownDestinations { get; init; } = KnownDestinationSeverity.Low;

    // [exfiltration]
    /// <summary>exfiltration.window_seconds: the sliding window bytes sent are summed over. Seconds, &gt; 0 and at most 604800.</summary>
    public double ExfiltrationWindowSeconds { get; init; } = 3600;
    /// <summary>exfiltration.bytes_threshold: bytes one program sends one destination within the window that raise exfiltration. Integer &gt;= 1.</summary>
    public long ExfiltrationBytesThreshold { get; init; } = 100_000_000;
    /// <summary>exfiltration.send_ratio: bytes sent must also be at least this many times the bytes received (a download never fires). &gt;= 0.</summary>
    public double ExfiltrationSendRatio { get; init; } = 10;

    // [allowlist]
    /// <summary>allowlist.destinations: addresses or CIDR blocks whose connections are ignored entirely.</summary>
    public ValueList<string> AllowDestinations { get; init; } = ValueList<string>.Empty;
    /// <summary>allowlist.ports: destination ports whose connections are ignored entirely.</summary>
    public ValueList<int> AllowPorts { get; init; } = ValueList<int>.Empty;
    /// <summary>allowlist.executables: executables (full path, or a name matching the process name or the path's last part) ignored entirely.</summary>
    public ValueList<string> AllowExecutables { get; init; } = ValueList<string>.Empty;

    // [blocklist]
    /// <summary>blocklist.file: a file of addresses/CIDR blocks, one per line, # comments; empty = none.</summary>
    public string BlocklistFile { get; init; } = string.Empty;

    // [baseline]
    /// <summary>baseline.state_file: where the learned baseline is saved and reloaded from; empty = not persisted.</summary>
    public string BaselineStateFile { get; init; } = string.Empty;
    /// <summary>baseline.mode: learn, enforce or learn-then-enforce.</summary>
    public BaselineMode BaselineMode { get; init; } = BaselineMode.LearnThenEnforce;
    /// <summary>baseline.ipv4_prefix: IPv4 destinations are learned as this prefix (0 to 32).</summary>
    public int BaselineIPv4Prefix { get; init; } = 24;
    /// <summary>baseline.ipv6_prefix: IPv6 destinations are learned as this prefix (0 to 128).</summary>
    public int BaselineIPv6Prefix { get; init; } = 64;

    // [dns]
    /// <summary>dns.cache_entries: address→name entries the name cache holds at most (one per address, plus one per
    /// further process that resolved it). 50,000 full is about 10 MiB (212 bytes a name, DnsNameCacheMemoryTests).</summary>
    public int DnsCacheEntries { get; init; } = 50_000;
    /// <summary>dns.ttl_floor_seconds: a name is kept at least this long, however short its TTL.</summary>
    public double DnsTtlFloorSeconds { get; init; } = 60;
    /// <summary>dns.ttl_ceiling_seconds: a name is kept at most this long, however long its TTL.</summary>
    public double DnsTtlCeilingSeconds { get; init; } = 3600;
    /// <summary>dns.blocklist_file: names (one per line, *.example wildcards, # comments) whose queries and connections are alerts; empty = none.</summary>
    public string DnsBlocklistFile { get; init; } = string.Empty;
    /// <summary>dns.tunnel_distinct_names: distinct names one process queries under one registrable domain within the window that raise dns_tunnel.</summary>
    public int DnsTunnelDistinctNames { get; init; } = 50;
    /// <summary>dns.tunnel_window_seconds: the window the distinct names are counted over.</summary>
    public double DnsTunnelWindowSeconds { get; init; } = 60;

    public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);
    public TimeSpan AlertCooldown => TimeSpan.FromSeconds(AlertCooldownSeconds);
    public TimeSpan IncidentQuiet => TimeSpan.FromSeconds(IncidentQuietSeconds);
    public TimeSpan ScanWindow => TimeSpan.FromSeconds(ScanWindowSeconds);
    public TimeSpan ExfiltrationWindow => TimeSpan.FromSeconds(ExfiltrationWindowSeconds);
    public long LogMaxSizeBytes => (long)(LogMaxSizeMb * 1024 * 1024);
}
