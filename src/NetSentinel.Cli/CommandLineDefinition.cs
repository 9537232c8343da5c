using System.CommandLine;
using NetSentinel.Core.Configuration;

namespace NetSentinel.Cli;

/// <summary>The net-sentinel command line: its options, their help, and their translation into <see cref="CliOptions"/>.</summary>
public sealed class CommandLineDefinition
{
    private readonly Option<bool> _once = new("--once") { Description = "Take one snapshot of outbound connections, print it, log alerts, exit (1 if alerts)." };
    private readonly Option<string?> _config = new("--config", "-c") { Description = "Read configuration from this TOML file.", HelpName = "FILE" };
    private readonly Option<string?> _logFile = new("--log-file") { Description = "Write the JSON Lines log here (overrides general.log_file).", HelpName = "PATH" };
    private readonly Option<double?> _interval = new("--interval") { Description = "Aggregation interval in seconds (overrides general.interval_seconds).", HelpName = "SECONDS" };
    private readonly Option<double?> _duration = new("--duration") { Description = "Stop the monitor by itself after this many seconds.", HelpName = "SECONDS" };
    private readonly Option<bool> _json = new("--json") { Description = "Write JSON lines to stdout instead of a table." };
    private readonly Option<string?> _source = new("--source") { Description = "Live source: auto (default), ebpf, etw or poll.", HelpName = "auto|ebpf|etw|poll" };
    private readonly Option<bool> _logConnections = new("--log-connections") { Description = "Also log every outbound connection and close, not only alerts." };
    private readonly Option<bool> _includeLoopback = new("--include-loopback") { Description = "Also watch connections to 127.0.0.0/8 and ::1." };
    private readonly Option<bool> _baselineOnly = new("--baseline-only") { Description = "Learn the baseline for baseline_samples intervals, print it, exit." };
    private readonly Option<bool> _noBaseline = new("--no-baseline") { Description = "Skip baseline learning: every destination not seen before in this run is new." };
    private readonly Option<bool> _printConfig = new("--print-config") { Description = "Print the effective configuration as TOML and exit." };

    public RootCommand Root { get; }

    public CommandLineDefinition()
    {
        Root = new RootCommand("net-sentinel: see which process talks to whom, how much it sends, and when that looks wrong.")
        {
            _once, _config, _logFile, _interval, _duration, _json, _source, _logConnections,
            _includeLoopback, _baselineOnly, _noBaseline, _printConfig,
        };
        // Keep the built-in --version (it refuses to combine with other options) but print version, commit and BPF ABI.
        Root.Options.OfType<VersionOption>().Single().Action = new VersionAction();
    }

    /// <summary>Turns a parse without errors into options, validating values the parser cannot.</summary>
    public CliOptions Read(ParseResult parse)
    {
        var options = new CliOptions
        {
            Once = parse.GetValue(_once),
            ConfigFile = parse.GetValue(_config),
            LogFile = parse.GetValue(_logFile),
            IntervalSeconds = parse.GetValue(_interval),
            DurationSeconds = parse.GetValue(_duration),
            Json = parse.GetValue(_json),
            Source = ParseSource(parse.GetValue(_source)),
            LogConnections = parse.GetValue(_logConnections),
            IncludeLoopback = parse.GetValue(_includeLoopback),
            BaselineOnly = parse.GetValue(_baselineOnly),
            NoBaseline = parse.GetValue(_noBaseline),
            PrintConfig = parse.GetValue(_printConfig),
        };

        // The same bounds as general.interval_seconds in the file: one rule, whichever way the value came.
        if (options.IntervalSeconds is { } interval && !(interval >= ConfigLimits.MinIntervalSeconds && interval <= ConfigLimits.MaxIntervalSeconds))
            throw CliFailure.Usage($"--interval must be a number of seconds from {ConfigLimits.MinIntervalSeconds} to {ConfigLimits.MaxIntervalSeconds} (got {Shown(interval)})");
        if (options.DurationSeconds is { } duration && !(duration > 0 && duration <= ConfigLimits.MaxDurationSeconds))
            throw CliFailure.Usage($"--duration must be a number of seconds greater than 0 and at most {ConfigLimits.MaxDurationSeconds} (ten years) (got {Shown(duration)})");
        if (options.LogFile is "")
            throw CliFailure.Usage("--log-file must not be empty");
        if (options.Once && options.BaselineOnly)
            throw CliFailure.Usage("--once and --baseline-only cannot be combined: a baseline needs several intervals");
        if (options.BaselineOnly && options.NoBaseline)
            throw CliFailure.Usage("--baseline-only and --no-baseline contradict each other");
        return options;
    }

    /// <summary>A number as typed, shortly: 1e300 is "1E+300", not 301 digits.</summary>
    private static string Shown(double value) => value.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);

    private static SourceKind? ParseSource(string? value) => value switch
    {
        null => null,
        "auto" => SourceKind.Auto,
        "ebpf" => SourceKind.Ebpf,
        "etw" => SourceKind.Etw,
        "poll" => SourceKind.Poll,
        _ => throw CliFailure.Usage($"--source must be one of auto, ebpf, etw, poll (got '{value}')"),
    };
}
