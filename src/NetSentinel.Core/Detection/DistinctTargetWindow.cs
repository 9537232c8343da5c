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

    // A lower bound on the oldest sighting held, so Expire is O(1) when nothing can have expired
    // (it is called on every event, and a connect storm brings thousands a second).
    private DateTimeOffset _oldestBound = DateTimeOffset.MaxValue;

    public int Capacity { get; } = capacity;

    public int Count => _lastSeen.Count;

    public IEnumerable<T> Values => _lastSeen.Keys;

    /// <summary>The earliest sighting still held (the start of the activity in the window); null when empty. O(n).</summary>
    public DateTimeOffset? OldestSighting()
    {
        DateTimeOffset? oldest = null;
        foreach (var seen in _lastSeen.Values)
        {
            if (oldest is null || seen < oldest)
            {
                oldest = seen;
            }
        }
        return oldest;
    }

    /// <summary>Forgets values not seen since <paramref name="oldest"/>.</summary>
    public void Expire(DateTimeOffset oldest)
    {
        if (_oldestBound >= oldest)
        {
            return;
        }
        List<T>? stale = null;
        _oldestBound = DateTimeOffset.MaxValue;
        foreach (var (value, seen) in _lastSeen)
        {
            if (seen < oldest)
            {
                (stale ??= []).Add(value);
            }
            else if (seen < _oldestBound)
            {
                _oldestBound = seen;
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
            if (at < _oldestBound)
            {
                _oldestBound = at; // an out-of-order event can move a sighting earlier
            }
            return false;
        }
        if (_lastSeen.Count >= Capacity)
        {
            return false;
        }
        _lastSeen[value] = at;
        if (at < _oldestBound)
        {
            _oldestBound = at;
        }
        return true;
    }
}
