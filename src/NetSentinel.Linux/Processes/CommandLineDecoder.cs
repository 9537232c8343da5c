using System.Text;

namespace NetSentinel.Linux.Processes;

/// <summary>
/// Turns the raw bytes of /proc/&lt;pid&gt;/cmdline into one string. The bytes are whatever the process
/// chose to put in its argv, so anything goes: invalid UTF-8 becomes U+FFFD, control characters are
/// kept as they are (sinks escape them), and the NUL separators become spaces.
/// </summary>
public static class CommandLineDecoder
{
    /// <summary>Decodes; null for an empty command line (kernel threads, zombies).</summary>
    public static string? Decode(ReadOnlySpan<byte> raw)
    {
        // argv ends with a NUL; a process that rewrote its argv may leave several.
        int end = raw.Length;
        while (end > 0 && raw[end - 1] == 0) end--;
        if (end == 0) return null;

        // Encoding.UTF8 replaces invalid sequences with U+FFFD rather than throwing.
        string text = Encoding.UTF8.GetString(raw[..end]);
        return text.Contains('\0') ? text.Replace('\0', ' ') : text;
    }

    /// <summary>argv from its NUL-separated bytes (the last argument may be cut); null when empty.</summary>
    public static List<string>? SplitArgs(ReadOnlySpan<byte> argv)
    {
        int end = argv.Length;
        while (end > 0 && argv[end - 1] == 0) end--;
        if (end == 0) return null;
        var args = new List<string>();
        foreach (Range range in argv[..end].Split((byte)0))
            args.Add(Encoding.UTF8.GetString(argv[range]));
        return args;
    }
}
