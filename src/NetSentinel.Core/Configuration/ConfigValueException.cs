namespace NetSentinel.Core.Configuration;

/// <summary>
/// One key's value is unusable. Raised while applying a single key and turned by
/// <see cref="MonitorConfigFile"/> into a located <see cref="ConfigException"/>; it never leaves the reader.
/// </summary>
internal sealed class ConfigValueException(string problem) : Exception(problem);
