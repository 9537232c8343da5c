namespace NetSentinel.Core.Identity;

/// <summary>The os-release(5) file: KEY=value lines, values optionally quoted.</summary>
public static class OsRelease
{
    public static Dictionary<string, string>? Read(string path)
    {
        try
        {
            return File.Exists(path) ? Parse(File.ReadAllLines(path)) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static Dictionary<string, string> Parse(IEnumerable<string> lines)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string raw in lines)
        {
            string line = raw.Trim();
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (line.Length == 0 || line[0] == '#' || equals <= 0)
            {
                continue;
            }

            string value = line[(equals + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
            }

            values[line[..equals]] = value;
        }

        return values;
    }
}
