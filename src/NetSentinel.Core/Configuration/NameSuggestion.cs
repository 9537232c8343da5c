namespace NetSentinel.Core.Configuration;

/// <summary>Finds the known name a misspelt one was probably meant to be, for "did you mean" hints.</summary>
internal static class NameSuggestion
{
    /// <summary>Shared prefix long enough to show intent even when the tails differ a lot (bytes_per_sec…).</summary>
    private const int TellingPrefixLength = 5;

    public static string? Closest(string written, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in known)
        {
            int distance = EditDistance(written.ToLowerInvariant(), candidate);
            bool plausible = distance * 2 <= Math.Max(written.Length, candidate.Length)
                             || CommonPrefixLength(written, candidate) >= TellingPrefixLength;
            if (plausible && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    private static int CommonPrefixLength(string a, string b)
    {
        int length = 0;
        while (length < a.Length && length < b.Length && char.ToLowerInvariant(a[length]) == b[length])
        {
            length++;
        }
        return length;
    }

    /// <summary>Levenshtein distance; names are short, so the two-row table is plenty.</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
