namespace NetSentinel.Core.Dns;

/// <summary>
/// Domain names whose queries and connections are alerts: exact names, and <c>*.example</c> entries that cover
/// example itself and every name under it. Matching walks the name's suffixes, so its cost is the number of
/// labels, whatever the list's size.
/// </summary>
public sealed class DomainBlocklist
{
    private readonly HashSet<string> _exact;
    private readonly HashSet<string> _subtrees;

    public DomainBlocklist(IEnumerable<string> exact, IEnumerable<string> subtrees)
    {
        _exact = new HashSet<string>(exact, StringComparer.Ordinal);
        _subtrees = new HashSet<string>(subtrees, StringComparer.Ordinal);
    }

    public static DomainBlocklist Empty { get; } = new([], []);

    public int Count => _exact.Count + _subtrees.Count;

    /// <summary>The entry <paramref name="name"/> matches ("evil.test" or "*.evil.test"), or null.</summary>
    public string? Match(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Count == 0)
        {
            return null;
        }
        name = name.TrimEnd('.').ToLowerInvariant();
        if (_exact.Contains(name))
        {
            return name;
        }
        for (string suffix = name; ;)
        {
            if (_subtrees.Contains(suffix))
            {
                return "*." + suffix;
            }
            int dot = suffix.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                return null;
            }
            suffix = suffix[(dot + 1)..];
        }
    }
}
