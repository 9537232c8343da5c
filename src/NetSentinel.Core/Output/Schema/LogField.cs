using System.Text.Json;

namespace NetSentinel.Core.Output.Schema;

/// <summary>
/// One field of a JSON log line, named by its dotted path (<c>source.port</c>). The writer writes
/// <see cref="Name"/> inside the object the path's parent names; the reader finds the value by the
/// whole path and names the path in its errors.
/// </summary>
public sealed class LogField
{
    private readonly string[] _segments;

    public LogField(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        _segments = path.Split('.');
    }

    /// <summary>The dotted path, e.g. <c>net_sentinel.connection_id</c>.</summary>
    public string Path { get; }

    /// <summary>The property name inside its parent object, e.g. <c>connection_id</c>.</summary>
    public string Name => _segments[^1];

    /// <summary>Walks the path from the line's root object; false when any step is missing or not an object.</summary>
    public bool TryFind(JsonElement root, out JsonElement value)
    {
        value = root;
        foreach (string segment in _segments)
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(segment, out value))
            {
                value = default;
                return false;
            }
        }
        return true;
    }

    public override string ToString() => Path;
}
