namespace NetSentinel.Core.Configuration;

/// <summary>
/// One TOML key of the configuration file: where it lives, what it means, how a written value
/// becomes part of a <see cref="MonitorConfig"/> and how the effective value is written back.
/// Reader and writer share these so that the two can never disagree on a key.
/// </summary>
internal sealed record ConfigKey(
    string Table,
    string Name,
    string Description,
    Func<MonitorConfig, ConfigValue, MonitorConfig> Apply,
    Func<MonitorConfig, string> WriteValue)
{
    public string QualifiedName => $"{Table}.{Name}";
}
