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
            builder.Append(IsUnsafe(c) ? '?' : c);
        }
        return builder.ToString();
    }

    /// <summary>
    /// Control characters (escape sequences, line breaks), lone surrogates, and the invisible format characters
    /// and separators that change what a line appears to say: bidi overrides and isolates (U+202E makes
    /// "evil\u202Etxt.exe" read "evilexe.txt"), zero-width characters, and U+2028/U+2029, which some terminals
    /// and viewers treat as line breaks.
    /// </summary>
    private static bool IsUnsafe(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c) is
            System.Globalization.UnicodeCategory.Format or
            System.Globalization.UnicodeCategory.LineSeparator or
            System.Globalization.UnicodeCategory.ParagraphSeparator;

}
