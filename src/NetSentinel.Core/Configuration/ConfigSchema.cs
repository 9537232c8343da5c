using NetSentinel.Core.Output.Pipeline;

namespace NetSentinel.Core.Configuration;

/// <summary>
/// Every table and key the configuration file may hold, in the order <c>--print-config</c> writes them.
/// Bounds: the lower ones are what the monitor needs to make sense; the upper ones keep the derived
/// <see cref="TimeSpan"/> and byte figures from overflowing and catch a misplaced unit early.
/// </summary>
internal static class ConfigSchema
{
    public const double MaxIntervalSeconds = ConfigLimits.MaxIntervalSeconds;
    public const double MinIntervalSeconds = ConfigLimits.MinIntervalSeconds;
    /// <summary>64 KiB: a log file must hold a few dozen lines before it rotates.</summary>
    public const double MinLogSizeMb = 0.0625;
    public const double MaxCooldownSeconds = 31_536_000;
    public const double MaxLogSizeMb = 1_048_576;
    public const long MaxLogFiles = 1_000;

    private static readonly KeyValuePair<string, SourceKind>[] SourceNames =
    [
        new("auto", SourceKind.Auto),
        new("ebpf", SourceKind.Ebpf),
        new("etw", SourceKind.Etw),
        new("poll", SourceKind.Poll),
    ];

    public const double MaxExfiltrationWindowSeconds = 604_800;
    public const long MaxScanThreshold = 65_536;
    public const long MaxBeaconHistory = 1_024;

    private static readonly KeyValuePair<string, KnownDestinationSeverity>[] KnownDestinationNames =
    [
        new("low", KnownDestinationSeverity.Low),
        new("ignore", KnownDestinationSeverity.Ignore),
        new("alert", KnownDestinationSeverity.Alert),
    ];

    private static readonly KeyValuePair<string, BaselineMode>[] BaselineModeNames =
    [
        new("learn-then-enforce", BaselineMode.LearnThenEnforce),
        new("learn", BaselineMode.Learn),
        new("enforce", BaselineMode.Enforce),
    ];

    private static readonly KeyValuePair<string, Output.DiskFullAction>[] DiskFullActionNames =
    [
        new("drop", Output.DiskFullAction.Drop),
        new("stop", Output.DiskFullAction.Stop),
    ];

    private static readonly KeyValuePair<string, OutputLines>[] OutputLinesNames =
    [
        new("all", OutputLines.All),
        new("alerts", OutputLines.Alerts),
    ];

    /// <summary>The console's choices: "auto" (null) decides at start from where stdout goes (see <see cref="MonitorConfig.StdoutLines"/>).</summary>
    private static readonly KeyValuePair<string, OutputLines?>[] StdoutLinesNames =
    [
        new("auto", null),
        new("all", OutputLines.All),
        new("alerts", OutputLines.Alerts),
    ];

    private static readonly KeyValuePair<string, SyslogFacility>[] SyslogFacilityNames =
    [
        new("daemon", SyslogFacility.Daemon),
        new("user", SyslogFacility.User),
        new("auth", SyslogFacility.Auth),
        new("authpriv", SyslogFacility.Authpriv),
        new("local0", SyslogFacility.Local0),
        new("local1", SyslogFacility.Local1),
        new("local2", SyslogFacility.Local2),
        new("local3", SyslogFacility.Local3),
        new("local4", SyslogFacility.Local4),
        new("local5", SyslogFacility.Local5),
        new("local6", SyslogFacility.Local6),
        new("local7", SyslogFacility.Local7),
    ];

    public static IReadOnlyList<string> Tables { get; } =
        ["general", "thresholds", "alerts", "log", "scan", "beacon", "exfiltration", "allowlist", "blocklist", "baseline", "dns", "stdout", "syslog", "metrics"];

    public static IReadOnlyList<ConfigKey> Keys { get; } =
    [
        new("general", "interval_seconds",
            "Length of one monitoring interval in seconds; rates are averaged over it (0.05 to 86400).",
            (c, v) => c with { IntervalSeconds = v.ReadNumber(MinIntervalSeconds, minExclusive: false, MaxIntervalSeconds) },
            c => ConfigTomlText.Number(c.IntervalSeconds)),
        new("general", "baseline_samples",
            "Intervals spent learning normal destinations before new_destination alerts start (0 = no learning).",
            (c, v) => c with { BaselineSamples = (int)v.ReadInteger(0, int.MaxValue) },
            c => ConfigTomlText.Integer(c.BaselineSamples)),
        new("general", "log_file",
            "JSON Lines file the alerts (and, with log_connections, connections) are appended to.",
            (c, v) => c with { LogFile = v.ReadPath() },
            c => ConfigTomlText.String(c.LogFile)),
        new("general", "include_loopback",
            "Also watch connections to 127.0.0.0/8 and ::1 (true or false).",
            (c, v) => c with { IncludeLoopback = v.ReadBoolean() },
            c => ConfigTomlText.Boolean(c.IncludeLoopback)),
        new("general", "source",
            "Live event source: \"auto\" (best the host allows), \"ebpf\" (Linux), \"etw\" (Windows) or \"poll\".",
            (c, v) => c with { Source = v.ReadChoice(SourceNames) },
            c => ConfigTomlText.String(SourceName(c.Source))),
        new("general", "log_connections",
            "Also log every new outbound connection and its close, not only alerts (true or false).",
            (c, v) => c with { LogConnections = v.ReadBoolean() },
            c => ConfigTomlText.Boolean(c.LogConnections)),
        new("thresholds", "bytes_per_sec_threshold",
            "Outbound bytes per second of one process that raise high_send_rate (>= 0).",
            (c, v) => c with { BytesPerSecThreshold = v.ReadInteger(0, long.MaxValue) },
            c => ConfigTomlText.Integer(c.BytesPerSecThreshold)),
        new("thresholds", "many_connections_threshold",
            "Outbound connections one process may hold at once before many_connections fires (>= 1).",
            (c, v) => c with { ManyConnectionsThreshold = (int)v.ReadInteger(1, int.MaxValue) },
            c => ConfigTomlText.Integer(c.ManyConnectionsThreshold)),
        new("alerts", "cooldown_seconds",
            "An open incident (a standing condition) writes an update with its counts at most once per this many seconds (>= 0).",
            (c, v) => c with { AlertCooldownSeconds = v.ReadNumber(0, minExclusive: false, MaxCooldownSeconds) },
            c => ConfigTomlText.Number(c.AlertCooldownSeconds)),
        new("alerts", "incident_quiet_seconds",
            "An incident with no new evidence for this many seconds closes with a line of its totals (> 0).",
            (c, v) => c with { IncidentQuietSeconds = v.ReadNumber(0, minExclusive: true, MaxCooldownSeconds) },
            c => ConfigTomlText.Number(c.IncidentQuietSeconds)),
        new("log", "max_size_mb",
            "Rotate the log file before it would grow past this many MiB; a line is never split (0.0625, i.e. 64 KiB, to 1048576).",
            (c, v) => c with { LogMaxSizeMb = v.ReadNumber(MinLogSizeMb, minExclusive: false, MaxLogSizeMb) },
            c => ConfigTomlText.Number(c.LogMaxSizeMb)),
        new("log", "max_files",
            "Rotated files kept next to the log (log_file.1 .. log_file.N); older ones are deleted (>= 1).",
            (c, v) => c with { LogMaxFiles = (int)v.ReadInteger(1, MaxLogFiles) },
            c => ConfigTomlText.Integer(c.LogMaxFiles)),
        new("log", "disk_full_action",
            "When the log's disk is full: \"drop\" (keep monitoring, count the lines not written, log the count when space returns) or \"stop\" (exit 3).",
            (c, v) => c with { LogDiskFullAction = v.ReadChoice(DiskFullActionNames) },
            c => ConfigTomlText.String(DiskFullActionNames.First(pair => pair.Value == c.LogDiskFullAction).Key)),
        new("scan", "window_seconds",
            "Sliding window, in seconds, over which scan counts one process's distinct destinations (> 0, at most 86400).",
            (c, v) => c with { ScanWindowSeconds = v.ReadNumber(0, minExclusive: true, MaxIntervalSeconds) },
            c => ConfigTomlText.Number(c.ScanWindowSeconds)),
        new("scan", "distinct_hosts_threshold",
            "Distinct destination addresses of one process within the window that raise scan (1 to 65536).",
            (c, v) => c with { ScanDistinctHostsThreshold = (int)v.ReadInteger(1, MaxScanThreshold) },
            c => ConfigTomlText.Integer(c.ScanDistinctHostsThreshold)),
        new("scan", "distinct_ports_threshold",
            "Distinct destination ports of one process within the window that raise scan (1 to 65536).",
            (c, v) => c with { ScanDistinctPortsThreshold = (int)v.ReadInteger(1, MaxScanThreshold) },
            c => ConfigTomlText.Integer(c.ScanDistinctPortsThreshold)),
        new("beacon", "min_connections",
            "Connections from one program to one destination before their regularity is scored (4 to 1024, at most beacon.history).",
            (c, v) => c with { BeaconMinConnections = (int)v.ReadInteger(4, MaxBeaconHistory) },
            c => ConfigTomlText.Integer(c.BeaconMinConnections)),
        new("beacon", "history",
            "Most recent connection times and sizes kept per program and destination (4 to 1024).",
            (c, v) => c with { BeaconHistory = (int)v.ReadInteger(4, MaxBeaconHistory) },
            c => ConfigTomlText.Integer(c.BeaconHistory)),
        new("beacon", "score_threshold",
            "Regularity score, from 0 to 1 (1 = perfectly periodic), at or above which beacon fires (> 0, at most 1).",
            (c, v) => c with { BeaconScoreThreshold = v.ReadNumber(0, minExclusive: true, 1) },
            c => ConfigTomlText.Number(c.BeaconScoreThreshold)),
        new("beacon", "min_period_seconds",
            "A series whose median gap is shorter than this many seconds is a burst, not a beacon (>= 0, at most 86400).",
            (c, v) => c with { BeaconMinPeriodSeconds = v.ReadNumber(0, minExclusive: false, MaxIntervalSeconds) },
            c => ConfigTomlText.Number(c.BeaconMinPeriodSeconds)),
        new("beacon", "known_destinations",
            "Periodic traffic to a destination in the program's baseline: \"low\" (low severity), \"ignore\" (no alert) or \"alert\" (medium).",
            (c, v) => c with { BeaconKnownDestinations = v.ReadChoice(KnownDestinationNames) },
            c => ConfigTomlText.String(KnownDestinationNames.First(pair => pair.Value == c.BeaconKnownDestinations).Key)),
        new("exfiltration", "window_seconds",
            "Sliding window, in seconds, over which bytes one program sends one destination are summed (> 0, at most 604800).",
            (c, v) => c with { ExfiltrationWindowSeconds = v.ReadNumber(0, minExclusive: true, MaxExfiltrationWindowSeconds) },
            c => ConfigTomlText.Number(c.ExfiltrationWindowSeconds)),
        new("exfiltration", "bytes_threshold",
            "Bytes sent to one destination within the window that raise exfiltration (>= 1).",
            (c, v) => c with { ExfiltrationBytesThreshold = v.ReadInteger(1, long.MaxValue) },
            c => ConfigTomlText.Integer(c.ExfiltrationBytesThreshold)),
        new("exfiltration", "send_ratio",
            "Bytes sent must also be at least this many times the bytes received, so a download never fires (>= 0).",
            (c, v) => c with { ExfiltrationSendRatio = v.ReadNumber(0, minExclusive: false, 1e9) },
            c => ConfigTomlText.Number(c.ExfiltrationSendRatio)),
        new("allowlist", "destinations",
            "Destination addresses or CIDR blocks whose connections are ignored entirely, e.g. [\"10.0.0.0/8\"].",
            (c, v) => c with { AllowDestinations = v.ReadStringList(text => NetworkPrefix.TryParse(text, out _, out string problem) ? null : problem) },
            c => ConfigTomlText.StringArray(c.AllowDestinations)),
        new("allowlist", "ports",
            "Destination ports whose connections are ignored entirely, e.g. [123].",
            (c, v) => c with { AllowPorts = v.ReadIntegerList(0, 65535) },
            c => ConfigTomlText.IntegerArray(c.AllowPorts)),
        new("allowlist", "executables",
            "Executables ignored entirely: a full path, or a name matching the process name or the path's last part.",
            (c, v) => c with { AllowExecutables = v.ReadStringList(text => text.Length == 0 || text.Contains('\0', StringComparison.Ordinal) ? "must be a non-empty name or path" : null) },
            c => ConfigTomlText.StringArray(c.AllowExecutables)),
        new("blocklist", "file",
            "File of addresses or CIDR blocks, one per line (# comments); a connection to one is a high-severity alert (\"\" = none).",
            (c, v) => c with { BlocklistFile = v.ReadOptionalPath() },
            c => ConfigTomlText.String(c.BlocklistFile)),
        new("baseline", "state_file",
            "File the learned baseline is saved to and reloaded from at start (\"\" = kept in memory only).",
            (c, v) => c with { BaselineStateFile = v.ReadOptionalPath() },
            c => ConfigTomlText.String(c.BaselineStateFile)),
        new("baseline", "mode",
            "\"learn-then-enforce\" (learn baseline_samples intervals, then alert), \"learn\" (never alert new_destination) or \"enforce\".",
            (c, v) => c with { BaselineMode = v.ReadChoice(BaselineModeNames) },
            c => ConfigTomlText.String(BaselineModeName(c.BaselineMode))),
        new("baseline", "ipv4_prefix",
            "IPv4 destinations are learned as this prefix, so a neighbour in the same block is not new (0 to 32).",
            (c, v) => c with { BaselineIPv4Prefix = (int)v.ReadInteger(0, 32) },
            c => ConfigTomlText.Integer(c.BaselineIPv4Prefix)),
        new("baseline", "ipv6_prefix",
            "IPv6 destinations are learned as this prefix (0 to 128).",
            (c, v) => c with { BaselineIPv6Prefix = (int)v.ReadInteger(0, 128) },
            c => ConfigTomlText.Integer(c.BaselineIPv6Prefix)),
        new("dns", "cache_entries",
            "Address-to-name entries the DNS name cache holds (one per address, plus one per further process that resolved it); past it the nearest to expiry go first (1 to 10000000).",
            (c, v) => c with { DnsCacheEntries = (int)v.ReadInteger(1, 10_000_000) },
            c => ConfigTomlText.Integer(c.DnsCacheEntries)),
        new("dns", "ttl_floor_seconds",
            "A resolved name names its addresses for at least this many seconds, however short the answer's TTL (>= 0, at most 86400).",
            (c, v) => c with { DnsTtlFloorSeconds = v.ReadNumber(0, minExclusive: false, MaxIntervalSeconds) },
            c => ConfigTomlText.Number(c.DnsTtlFloorSeconds)),
        new("dns", "ttl_ceiling_seconds",
            "... and for at most this many seconds, however long the TTL (a ceiling below the floor counts as the floor; >= 0, at most 604800).",
            (c, v) => c with { DnsTtlCeilingSeconds = v.ReadNumber(0, minExclusive: false, MaxExfiltrationWindowSeconds) },
            c => ConfigTomlText.Number(c.DnsTtlCeilingSeconds)),
        new("dns", "blocklist_file",
            "File of domain names, one per line (*.example for example and every name under it, # comments); a query for one, or a connection to an address it resolved to, is a high-severity alert (\"\" = none).",
            (c, v) => c with { DnsBlocklistFile = v.ReadOptionalPath() },
            c => ConfigTomlText.String(c.DnsBlocklistFile)),
        new("dns", "tunnel_distinct_names",
            "Distinct names one process queries under one registrable domain within tunnel_window_seconds that raise dns_tunnel (2 to 65536).",
            (c, v) => c with { DnsTunnelDistinctNames = (int)v.ReadInteger(2, MaxScanThreshold) },
            c => ConfigTomlText.Integer(c.DnsTunnelDistinctNames)),
        new("dns", "tunnel_window_seconds",
            "Sliding window, in seconds, for tunnel_distinct_names (> 0, at most 86400).",
            (c, v) => c with { DnsTunnelWindowSeconds = v.ReadNumber(0, minExclusive: true, MaxIntervalSeconds) },
            c => ConfigTomlText.Number(c.DnsTunnelWindowSeconds)),
        new("log", "lines",
            "Lines the log file gets: \"all\" (alerts, notices and, with log_connections, connections) or \"alerts\" (no connection lines).",
            (c, v) => c with { LogLines = v.ReadChoice(OutputLinesNames) },
            c => ConfigTomlText.String(OutputLinesName(c.LogLines))),
        new("stdout", "lines",
            "Lines the console (stdout) gets: \"auto\" (\"all\" on a terminal or with --json, else \"alerts\": a service's journal gets no line per connection), \"all\" or \"alerts\"; a reader that stops only loses console lines, counted.",
            (c, v) => c with { StdoutLines = v.ReadChoice(StdoutLinesNames) },
            c => ConfigTomlText.String(StdoutLinesNames.First(pair => pair.Value == c.StdoutLines).Key)),
        new("syslog", "target",
            "Also send lines to syslog (RFC 5424, the JSON line as the message): \"/dev/log\" (a Unix datagram socket), \"udp:ADDRESS:PORT\" or \"tcp:ADDRESS:PORT\" (octet-counted frames); \"\" = off.",
            (c, v) => c with { SyslogTarget = v.ReadString(text => text.Length == 0 || Output.Syslog.SyslogTarget.TryParse(text, out _) is not null ? null : SyslogTargetProblem(text)) },
            c => ConfigTomlText.String(c.SyslogTarget)),
        new("syslog", "lines",
            "Lines syslog gets: \"all\" or \"alerts\"; a receiver that stops or is gone only loses syslog lines, counted.",
            (c, v) => c with { SyslogLines = v.ReadChoice(OutputLinesNames) },
            c => ConfigTomlText.String(OutputLinesName(c.SyslogLines))),
        new("syslog", "facility",
            "Syslog facility of every message: \"daemon\", \"user\", \"auth\", \"authpriv\" or \"local0\" .. \"local7\".",
            (c, v) => c with { SyslogFacility = v.ReadChoice(SyslogFacilityNames) },
            c => ConfigTomlText.String(SyslogFacilityNames.First(pair => pair.Value == c.SyslogFacility).Key)),
        new("log", "mode",
            "Permission bits of the log and of each rotated file, set exactly (Unix): \"0600\" (owner only), \"0640\" (with group: a shipper in [log] group reads it) or \"0644\".",
            (c, v) => c with { LogMode = Output.Files.LogFilePermissions.ParseMode(v.ReadString(Output.Files.LogFilePermissions.CheckMode))!.Value },
            c => ConfigTomlText.String(Output.Files.LogFilePermissions.FormatMode(c.LogMode))),
        new("log", "group",
            "Group the log and each rotated file are given (Unix; it must exist), e.g. \"net-sentinel-readers\" with mode \"0640\"; \"\" = the monitor's own group.",
            (c, v) => c with { LogGroup = v.ReadString(Output.Files.LogFilePermissions.CheckGroup) },
            c => ConfigTomlText.String(c.LogGroup)),
        new("metrics", "listen",
            "Serve Prometheus metrics at http://ADDRESS:PORT/metrics (e.g. \"127.0.0.1:9469\") or on a Unix socket path; \"\" = off. Loopback or a socket only, unless allow_remote.",
            (c, v) => c with { MetricsListen = v.ReadString(text => text.Length == 0 || Metrics.MetricsEndpoint.TryParse(text, out _) is not null ? null : MetricsListenProblem(text)) },
            c => ConfigTomlText.String(c.MetricsListen)),
        new("metrics", "allow_remote",
            "Allow metrics.listen on an address other hosts can reach (true or false); the endpoint has no authentication.",
            (c, v) => c with { MetricsAllowRemote = v.ReadBoolean() },
            c => ConfigTomlText.Boolean(c.MetricsAllowRemote)),
    ];

    private static string MetricsListenProblem(string text)
    {
        Metrics.MetricsEndpoint.TryParse(text, out string problem);
        return problem;
    }

    private static string SyslogTargetProblem(string text)
    {
        Output.Syslog.SyslogTarget.TryParse(text, out string problem);
        return problem;
    }

    public static string OutputLinesName(OutputLines lines) =>
        OutputLinesNames.First(pair => pair.Value == lines).Key;

    public static string BaselineModeName(BaselineMode mode) =>
        BaselineModeNames.First(pair => pair.Value == mode).Key;

    public static bool IsTable(string name) => Tables.Contains(name, StringComparer.Ordinal);

    public static ConfigKey? Find(string table, string name) =>
        Keys.FirstOrDefault(key => key.Table == table && key.Name == name);

    public static IEnumerable<ConfigKey> KeysOf(string table) => Keys.Where(key => key.Table == table);

    public static string SourceName(SourceKind source) =>
        SourceNames.First(pair => pair.Value == source).Key;
}
