using NetSentinel.Core.Configuration;

namespace NetSentinel.Cli;

/// <summary>What the command line asked for. Null means "not given": the config file or the default decides.</summary>
public sealed record CliOptions
{
    public bool Once { get; init; }
    public string? ConfigFile { get; init; }
    public string? LogFile { get; init; }
    public double? IntervalSeconds { get; init; }
    public double? DurationSeconds { get; init; }
    public bool Json { get; init; }
    public SourceKind? Source { get; init; }
    public bool LogConnections { get; init; }
    public bool IncludeLoopback { get; init; }
    public bool BaselineOnly { get; init; }
    public bool NoBaseline { get; init; }
    public bool PrintConfig { get; init; }

    /// <summary>Flags override the file; only flags that were given change anything.</summary>
    public MonitorConfig ApplyTo(MonitorConfig config) => config with
    {
        LogFile = LogFile ?? config.LogFile,
        IntervalSeconds = IntervalSeconds ?? config.IntervalSeconds,
        Source = Source ?? config.Source,
        LogConnections = LogConnections || config.LogConnections,
        IncludeLoopback = IncludeLoopback || config.IncludeLoopback,
    };
}
