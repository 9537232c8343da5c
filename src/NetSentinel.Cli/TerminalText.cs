using System.Text;

namespace NetSentinel.Cli;

/// <summary>
/// Makes attacker-controlled text (process names, command lines) safe for a terminal: a process
/// that names itself with escape sequences must not be able to rewrite the operator's screen.
/// </summary>
public static class TerminalText
{
    public static string Safe(string? text, int maxLength = int.MaxValue)
    {
        if (string.IsNullOrEmpty(text)) return "-";
        var builder = new StringBuilder(Math.Min(text.Length, maxLength));
        foreach (char c in text)
        {
            if (builder.Length >= maxLength) break;
            builder.Append(char.IsControl(c) || char.IsSurrogate(c) ? '?' : c);
        }
        return builder.ToString();
    }

}
