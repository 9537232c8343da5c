using System.Text;
using NetSentinel.Linux.Bpf;

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

    /// <summary>
    /// argv from its NUL-separated bytes (the last argument may be cut); null when empty. An array of exactly the
    /// arguments (it is kept as long as the process is); with <paramref name="text"/>, arguments many processes
    /// share (a program's name, its fixed options) are one string each.
    /// </summary>
    public static string[]? SplitArgs(ReadOnlySpan<byte> argv, RecentText? text = null)
    {
        int end = argv.Length;
        while (end > 0 && argv[end - 1] == 0) end--;
        if (end == 0) return null;
        argv = argv[..end];
        var args = new string[argv.Count((byte)0) + 1];
        int i = 0;
        foreach (Range range in argv.Split((byte)0))
            args[i++] = text is null ? Encoding.UTF8.GetString(argv[range]) : text.Utf8(argv[range]);
        return args;
    }
}
