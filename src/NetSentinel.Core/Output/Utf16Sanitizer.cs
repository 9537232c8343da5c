using System.Text;

namespace NetSentinel.Core.Output;

/// <summary>
/// Makes an attacker-controlled string encodable: Utf8JsonWriter refuses invalid UTF-16, and a
/// process may name itself with bytes that decode to lone surrogates. Every lone surrogate becomes U+FFFD.
/// </summary>
internal static class Utf16Sanitizer
{
    public static string ReplaceLoneSurrogates(string text)
    {
        int firstBad = IndexOfLoneSurrogate(text, 0);
        if (firstBad < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        builder.Append(text, 0, firstBad);
        for (int i = firstBad; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                builder.Append('\uFFFD');
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static int IndexOfLoneSurrogate(string text, int start)
    {
        for (int i = start; i < text.Length; i++)
        {
            char c = text[i];
            if (!char.IsSurrogate(c))
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            return i;
        }

        return -1;
    }
}
