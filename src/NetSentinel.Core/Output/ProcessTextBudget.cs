using System.Text;
using System.Text.Encodings.Web;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Output;

/// <summary>
/// Keeps the process part of a line (process, parent, user, ancestry, cgroup: every text a process chooses) under
/// <see cref="MaxEscapedBytes"/> as JSON, whatever the text is, so that a whole line stays under syslog-ng's default
/// 64 KiB message size. The bound is on the escaped size, not the length: a control character is 6 bytes in JSON
/// (<c>\u0001</c>), so 16 KiB of them in a command line alone would be 96 KiB. The texts are charged in the order a
/// reader needs them (the executable, the command line, argv, the parent, then the ancestors); each gets at most
/// its own cap and what is left of the budget. A command line or argv that is cut sets
/// <see cref="ProcessInfo.CommandLineTruncated"/> (<c>net_sentinel.process.command_line_truncated</c>); an
/// executable path keeps its last components after "…" and is marked truncated; an ancestor's command line ends
/// in "…". Ordinary processes (a few KiB of printable text) come back unchanged, as the same instance.
/// </summary>
internal static class ProcessTextBudget
{
    /// <summary>What the process part may take; the rest of a line (addresses, rule, DNS name, message) stays well under 16 KiB.</summary>
    public const int MaxEscapedBytes = 48 * 1024;

    /// <summary>The kernel's capture cap of a command line (NS_ARGS_LEN): plain text of that size is never cut here.</summary>
    public const int CommandLineCap = 16 * 1024;

    /// <summary>All of argv together.</summary>
    public const int ArgsCap = 16 * 1024;

    /// <summary>PATH_MAX and one more component, as the kernel captures a path.</summary>
    public const int PathCap = 4096 + 256;

    /// <summary>A parent's command line: it is written once more than the process's own.</summary>
    public const int ParentCommandLineCap = 8 * 1024;

    /// <summary>A name, a user name.</summary>
    public const int NameCap = 256;

    /// <summary>Bytes one UTF-16 unit takes at most once escaped: <c>\uXXXX</c>.</summary>
    private const int MaxBytesPerChar = 6;

    private const string Ellipsis = "…";

    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>What each ASCII character becomes in a line, asked of the writer's own encoder.</summary>
    private static readonly byte[] AsciiWidths = [.. Enumerable.Range(0, 0x80).Select(c => (byte)Encoder.Encode(((char)c).ToString()).Length)];

    /// <summary>The process with its texts cut to fit, or <paramref name="process"/> itself when they already do.</summary>
    public static ProcessInfo Fit(ProcessInfo process)
    {
        if (Size(process, static text => text.Length * MaxBytesPerChar) <= MaxEscapedBytes || Size(process, static text => EscapedBytes(text)) <= MaxEscapedBytes)
        {
            return process; // the first test spares ordinary processes a scan of their texts; nothing that fits is cut
        }

        int left = MaxEscapedBytes;
        string name = Take(process.Name, NameCap, ref left, out _)!;
        string? executable = TakePath(process.Executable, ref left, out bool executableCut);
        string? commandLine = Take(process.CommandLine, CommandLineCap, ref left, out bool commandLineCut);
        IReadOnlyList<string>? args = TakeArgs(process.Args, ref left, out bool argsCut);
        string? userName = Take(process.UserName, NameCap, ref left, out _);
        string? cgroup = TakePath(process.CgroupPath, ref left, out _);
        var ancestry = new ProcessInfo[process.Ancestry.Count];
        for (int i = 0; i < ancestry.Length; i++)
        {
            // The parent is written twice (process.parent and the first of the ancestry), with its command line once;
            // a parent's argv (which no source keeps today) is left out.
            ProcessInfo ancestor = process.Ancestry[i];
            int copies = i == 0 ? 2 : 1;
            int share = left / copies;
            int shareBefore = share;
            string ancestorName = Take(ancestor.Name, NameCap, ref share, out _)!;
            string? ancestorExecutable = TakePath(ancestor.Executable, ref share, out bool ancestorExecutableCut);
            left -= copies * (shareBefore - share);
            string? ancestorCommandLine = i == 0 ? Take(ancestor.CommandLine, ParentCommandLineCap, ref left, out _, Ellipsis) : null;
            ancestry[i] = ancestor with
            {
                Name = ancestorName,
                Executable = ancestorExecutable,
                ExecutableTruncated = ancestor.ExecutableTruncated || ancestorExecutableCut,
                CommandLine = ancestorCommandLine,
                Args = null,
            };
        }

        return process with
        {
            Name = name,
            Executable = executable,
            ExecutableTruncated = process.ExecutableTruncated || executableCut,
            CommandLine = commandLine,
            Args = args,
            CommandLineTruncated = process.CommandLineTruncated || commandLineCut || argsCut,
            UserName = userName,
            CgroupPath = cgroup,
            Ancestry = ancestry,
        };
    }

    /// <summary>
    /// Bytes of <paramref name="text"/> once written in a line: exact for ASCII (as the writer's encoder escapes each
    /// character: <c>\n</c> 2, <c>\u0001</c> 6), UTF-8 length for other text the encoder keeps, 6 per UTF-16 unit it escapes.
    /// </summary>
    public static int EscapedBytes(ReadOnlySpan<char> text)
    {
        int bytes = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 0x80)
            {
                bytes += AsciiWidths[c];
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                bytes += Encoder.WillEncode(char.ConvertToUtf32(c, text[i + 1])) ? 2 * MaxBytesPerChar : 4;
                i++;
            }
            else
            {
                // A lone surrogate is written as U+FFFD (3 bytes); 6 is a bound either way.
                bytes += char.IsSurrogate(c) || Encoder.WillEncode(c) ? MaxBytesPerChar : c < 0x800 ? 2 : 3;
            }
        }

        return bytes;
    }

    /// <summary>The process part's texts, each measured by <paramref name="measure"/>, as often as the line writes them.</summary>
    private static long Size(ProcessInfo process, Func<string, int> measure)
    {
        long bytes = Measure(process.Name, measure) + Measure(process.Executable, measure) + Measure(process.CommandLine, measure)
                     + Measure(process.UserName, measure) + Measure(process.CgroupPath, measure) + MeasureArgs(process.Args, measure);
        for (int i = 0; i < process.Ancestry.Count; i++)
        {
            ProcessInfo ancestor = process.Ancestry[i];
            bytes += (i == 0 ? 2 : 1) * (Measure(ancestor.Name, measure) + Measure(ancestor.Executable, measure));
            if (i == 0)
            {
                bytes += Measure(ancestor.CommandLine, measure) + MeasureArgs(ancestor.Args, measure); // process.parent has them
            }
        }

        return bytes;
    }

    private static long MeasureArgs(IReadOnlyList<string>? args, Func<string, int> measure)
    {
        long bytes = 0;
        if (args is not null)
        {
            foreach (string arg in args)
            {
                bytes += measure(arg) + 3; // its quotes and comma
            }
        }

        return bytes;
    }

    private static long Measure(string? text, Func<string, int> measure) => text is null ? 0 : measure(text);

    /// <summary>
    /// True, and <paramref name="left"/> charged, when <paramref name="text"/> fits whole in min(cap, left) escaped;
    /// <paramref name="room"/> is that space, which a cut text must fit in.
    /// </summary>
    private static bool FitsWhole(string text, int cap, ref int left, out int room)
    {
        room = Math.Max(0, Math.Min(cap, left));
        int bytes = EscapedBytes(text);
        if (bytes > room)
        {
            return false;
        }

        left -= bytes;
        return true;
    }

    /// <summary>The longest beginning of <paramref name="text"/> that fits min(cap, left) escaped (with <paramref name="marker"/> after it when cut).</summary>
    private static string? Take(string? text, int cap, ref int left, out bool cut, string marker = "")
    {
        cut = false;
        if (text is null)
        {
            return null;
        }

        if (FitsWhole(text, cap, ref left, out int room))
        {
            return text;
        }

        cut = true;
        int keep = FittingPrefix(text, room - EscapedBytes(marker));
        string kept = text[..keep] + marker;
        left -= EscapedBytes(kept);
        return kept;
    }

    /// <summary>A path keeps its end (the file's own name) after "…", as the kernel marks a path that did not fit.</summary>
    private static string? TakePath(string? path, ref int left, out bool cut)
    {
        cut = false;
        if (path is null)
        {
            return null;
        }

        if (FitsWhole(path, PathCap, ref left, out int room))
        {
            return path;
        }

        cut = true;
        int budget = room - EscapedBytes(Ellipsis);
        int start = path.Length;
        int used = 0;
        while (start > 0)
        {
            int width = EscapedBytes(path.AsSpan(start - 1, 1));
            if (char.IsLowSurrogate(path[start - 1]) && start > 1)
            {
                width = EscapedBytes(path.AsSpan(start - 2, 2));
            }

            if (used + width > budget)
            {
                break;
            }

            used += width;
            start -= char.IsLowSurrogate(path[start - 1]) && start > 1 ? 2 : 1;
        }

        string kept = Ellipsis + path[start..];
        left -= EscapedBytes(kept);
        return kept;
    }

    /// <summary>argv from the first argument on, as many whole arguments as fit, the one that does not fit cut.</summary>
    private static IReadOnlyList<string>? TakeArgs(IReadOnlyList<string>? args, ref int left, out bool cut)
    {
        cut = false;
        if (args is null)
        {
            return null;
        }

        int room = Math.Max(0, Math.Min(ArgsCap, left));
        var kept = new List<string>(args.Count);
        foreach (string arg in args)
        {
            int bytes = EscapedBytes(arg) + 3;
            if (bytes <= room)
            {
                kept.Add(arg);
                room -= bytes;
                left -= bytes;
                continue;
            }

            cut = true;
            if (room > 3)
            {
                string part = arg[..FittingPrefix(arg, room - 3)];
                kept.Add(part);
                left -= EscapedBytes(part) + 3;
            }

            break;
        }

        return kept;
    }

    /// <summary>How many UTF-16 units of <paramref name="text"/> fit in <paramref name="bytes"/> escaped, never splitting a surrogate pair.</summary>
    private static int FittingPrefix(string text, int bytes)
    {
        int used = 0;
        int i = 0;
        while (i < text.Length)
        {
            int units = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            int width = EscapedBytes(text.AsSpan(i, units));
            if (used + width > bytes)
            {
                break;
            }

            used += width;
            i += units;
        }

        return i;
    }
}
