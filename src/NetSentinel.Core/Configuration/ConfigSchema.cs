namespace NetSentinel.Core.Configuration;

/// <summary>
/// Every table and key the configuration file may hold, in the order <c>--print-config</c> writes them.
/// Bounds: the lower ones are what the monitor needs to make sense; the upper ones keep the derived
/// <see cref="TimeSpan"/> and byte figures from overflowing and catch a misplaced unit early.
/// </summary>
internal static class ConfigSchema
{
    public const double MaxIntervalSeconds = 86_400;
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

    public static IReadOnlyList<string> Tables { get; } = ["general", "thresholds", "alerts", "log"];

    public static IReadOnlyList<ConfigKey> Keys { get; } =
    [
        new("general", "interval_seconds",
            "Length of one monitoring interval in seconds; rates are averaged over it (> 0, at most 86400).",
            (c, v) => c with { IntervalSeconds = v.ReadNumber(0, minExclusive: true, MaxIntervalSeconds) },
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
            "A standing condition alerts again at most once per this many seconds, per rule, process and destination (>= 0).",
            (c, v) => c with { AlertCooldownSeconds = v.ReadNumber(0, minExclusive: false, MaxCooldownSeconds) },
            c => ConfigTomlText.Number(c.AlertCooldownSeconds)),
        new("log", "max_size_mb",
            "Rotate the log file before it would grow past this many MiB; a line is never split (> 0).",
            (c, v) => c with { LogMaxSizeMb = v.ReadNumber(0, minExclusive: true, MaxLogSizeMb) },
            c => ConfigTomlText.Number(c.LogMaxSizeMb)),
        new("log", "max_files",
            "Rotated files kept next to the log (log_file.1 .. log_file.N); older ones are deleted (>= 1).",
            (c, v) => c with { LogMaxFiles = (int)v.ReadInteger(1, MaxLogFiles) },
            c => ConfigTomlText.Integer(c.LogMaxFiles)),
    ];

    public static bool IsTable(string name) => Tables.Contains(name, StringComparer.Ordinal);

    public static ConfigKey? Find(string table, string name) =>
        Keys.FirstOrDefault(key => key.Table == table && key.Name == name);

    public static IEnumerable<ConfigKey> KeysOf(string table) => Keys.Where(key => key.Table == table);

    public static string SourceName(SourceKind source) =>
        SourceNames.First(pair => pair.Value == source).Key;
}
