namespace NetSentinel.Core.Detection;

/// <summary>
/// Distinct values (addresses or ports) seen within a sliding window, each with the time it was last seen.
/// Exact up to <see cref="Capacity"/>: past it, new values are not remembered (the count stays at the cap),
/// which bounds memory however many targets a process touches. The cap is above the alert threshold, so
/// whether the threshold is reached is always decided exactly.
/// </summary>
public sealed class DistinctTargetWindow<T>(int capacity) where T : notnull
{
    private readonly Dictionary<T, DateTimeOffset> _lastSeen = [];

    public int Capacity { get; } = capacity;

    public int Count => _lastSeen.Count;

    public IEnumerable<T> Values => _lastSeen.Keys;

    /// <summary>Forgets values not seen since <paramref name="oldest"/>.</summary>
    public void Expire(DateTimeOffset oldest)
    {
        List<T>? stale = null;
        foreach (var (value, seen) in _lastSeen)
        {
            if (seen < oldest)
            {
                (stale ??= []).Add(value);
            }
        }
        if (stale is not null)
        {
            foreach (T value in stale)
            {
                _lastSeen.Remove(value);
            }
        }
    }

    /// <summary>Records a sighting; true when the value was not already in the window.</summary>
    public bool Add(T value, DateTimeOffset at)
    {
        if (_lastSeen.ContainsKey(value))
        {
            _lastSeen[value] = at;
            return false;
        }
        if (_lastSeen.Count >= Capacity)
        {
            return false;
        }
        _lastSeen[value] = at;
        return true;
    }
}
