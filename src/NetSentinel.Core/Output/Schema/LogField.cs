using System.Text;
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
    private readonly byte[] _utf8Name;

    public LogField(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        _segments = path.Split('.');
        _utf8Name = Encoding.UTF8.GetBytes(_segments[^1]);
    }

    /// <summary>The dotted path, e.g. <c>net_sentinel.connection_id</c>.</summary>
    public string Path { get; }

    /// <summary>The property name inside its parent object, e.g. <c>connection_id</c>.</summary>
    public string Name => _segments[^1];

    /// <summary><see cref="Name"/> as UTF-8, what the writer writes (no transcoding per line).</summary>
    public ReadOnlySpan<byte> Utf8Name => _utf8Name;

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
