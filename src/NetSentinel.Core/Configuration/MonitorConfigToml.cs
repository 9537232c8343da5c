using System.Text;

namespace NetSentinel.Core.Configuration;

/// <summary>
/// Writes a configuration as TOML — what <c>--print-config</c> shows. Same tables and keys as the
/// file, a comment per key saying what it means, values culture-free and escaped, so the output is
/// itself a valid configuration file: <c>MonitorConfigFile.Parse(Write(c), …) == c</c>.
/// </summary>
public static class MonitorConfigToml
{
    public static string Write(MonitorConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var toml = new StringBuilder();
        toml.Append("# net-sentinel configuration (effective values: defaults, then the file, then flags)\n");
        foreach (string table in ConfigSchema.Tables)
        {
            toml.Append('\n').Append('[').Append(table).Append("]\n");
            foreach (ConfigKey key in ConfigSchema.KeysOf(table))
            {
                toml.Append("# ").Append(key.Description).Append('\n');
                toml.Append(key.Name).Append(" = ").Append(key.WriteValue(config)).Append('\n');
            }
        }
        return toml.ToString();
    }
}
