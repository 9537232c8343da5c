namespace NetSentinel.Core.Detection;

/// <summary>
/// Distinct values (addresses or ports) seen within a sliding window, each with the time it was last seen.
/// Exact up to <see cref="Capacity"/>: past it, new values are not remembered (the count stays at the cap),
/// which bounds memory however many targets a process touches. The cap is above the alert threshold, so
/// whether the threshold is reached is always decided exactly.
/// Memory: one value is held in fields, a table only from the second distinct value on. Most processes reach
/// one host on one port (a fork/exec storm's short-lived children), and each is kept for a whole window.
/// </summary>
public sealed class DistinctTargetWindow<T>(int capacity) where T : notnull
{
    // Held per window, not in a static: in the code shared by reference types (IPAddress, string) a static of a
    // generic class is reached through a generic lookup on every Add; a field is one load from this object.
    private readonly EqualityComparer<T> _same = EqualityComparer<T>.Default;

    // Two or more distinct values; null while there is at most one (held in _one).
    private Dictionary<T, DateTimeOffset>? _many;
    private bool _hasOne;
    private T _one = default!;
    private DateTimeOffset _oneSeen;

    // A lower bound on the oldest sighting held, so Expire is O(1) when nothing can have expired
    // (it is called on every event, and a connect storm brings thousands a second).
    private DateTimeOffset _oldestBound = DateTimeOffset.MaxValue;

    public int Capacity { get; } = capacity;

    public int Count => _many?.Count ?? (_hasOne ? 1 : 0);

    public IEnumerable<T> Values => _many is not null ? _many.Keys : _hasOne ? [_one] : [];

    /// <summary>The earliest sighting still held (the start of the activity in the window); null when empty. O(n).</summary>
    public DateTimeOffset? OldestSighting()
    {
        if (_many is null)
        {
            return _hasOne ? _oneSeen : null;
        }
        DateTimeOffset? oldest = null;
        foreach (var seen in _many.Values)
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
        _oldestBound = DateTimeOffset.MaxValue;
        if (_many is null)
        {
            if (_hasOne && _oneSeen < oldest)
            {
                (_hasOne, _one) = (false, default!);
            }
            else if (_hasOne)
            {
                _oldestBound = _oneSeen;
            }
            return;
        }
        List<T>? stale = null;
        foreach (var (value, seen) in _many)
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
                _many.Remove(value);
            }
        }
    }

    /// <summary>Records a sighting; true when the value was not already in the window.</summary>
    public bool Add(T value, DateTimeOffset at)
    {
        if (at < _oldestBound)
        {
            _oldestBound = at; // a new value, or an out-of-order event moving a sighting earlier
        }
        if (_many is null)
        {
            if (_hasOne && _same.Equals(_one, value))
            {
                _oneSeen = at;
                return false;
            }
            if (!_hasOne && Capacity > 0)
            {
                (_hasOne, _one, _oneSeen) = (true, value, at);
                return true;
            }
            if (!_hasOne || Capacity < 2)
            {
                return false;
            }
            _many = new Dictionary<T, DateTimeOffset>(_same) { [_one] = _oneSeen };
            (_hasOne, _one) = (false, default!);
        }
        if (_many.ContainsKey(value))
        {
            _many[value] = at;
            return false;
        }
        if (_many.Count >= Capacity)
        {
            return false;
        }
        _many[value] = at;
        return true;
    }
}
