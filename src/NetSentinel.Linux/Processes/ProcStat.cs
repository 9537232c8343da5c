using System.Buffers.Text;
using System.Text;

namespace NetSentinel.Linux.Processes;

/// <summary>
/// The fields of /proc/&lt;pid&gt;/stat that identify a process: its name, parent, and start time
/// (field 22, in clock ticks since boot). The start time is what tells a reused pid from the old one.
/// </summary>
public readonly record struct ProcStat(string Name, int ParentPid, ulong StartTime)
{
    private const int StartTimeField = 22;

    /// <summary>
    /// Parses a stat line. The name sits between the first '(' and the LAST ')' because a process can
    /// put spaces and parentheses in its own name. Returns false for anything malformed.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> stat, out ProcStat result)
    {
        result = default;
        int open = stat.IndexOf((byte)'(');
        int close = stat.LastIndexOf((byte)')');
        if (open < 0 || close < open) return false;
        string name = Encoding.UTF8.GetString(stat[(open + 1)..close]);

        // After ") " come fields 3 (state), 4 (ppid), ... 22 (starttime).
        ReadOnlySpan<byte> rest = stat[(close + 1)..];
        int field = 2;
        int parentPid = -1;
        while (!rest.IsEmpty)
        {
            rest = rest.TrimStart((byte)' ');
            if (rest.IsEmpty) break;
            int space = rest.IndexOfAny((byte)' ', (byte)'\n');
            ReadOnlySpan<byte> token = space < 0 ? rest : rest[..space];
            rest = space < 0 ? default : rest[(space + 1)..];
            field++;
            if (field == 4 && !Utf8Parser.TryParse(token, out parentPid, out _)) return false;
            if (field == StartTimeField)
            {
                if (!Utf8Parser.TryParse(token, out ulong startTime, out int consumed) || consumed != token.Length) return false;
                result = new ProcStat(name, parentPid, startTime);
                return parentPid >= 0;
            }
        }
        return false;
    }
}
