using System.Net;

namespace NetSentinel.Core.Dns;

/// <summary>
/// Address → names, learned from the DNS answers processes received, per process and host-wide.
/// An entry lives for the answer's TTL held between a floor (a program connects a little after its answer
/// expired, and short CDN TTLs would otherwise lose most names) and a ceiling (an address reused by another
/// owner keeps a stale name at most that long). Bounded: past <see cref="Capacity"/> entries the one nearest to
/// expiry goes first, counted in <see cref="Evictions"/>. A name is never guessed or looked up: only what a
/// process was told is known.
/// </summary>
public sealed class DnsNameCache
{
    /// <summary>Names kept per address and owner (the most recent first).</summary>
    public const int MaxNamesPerEntry = 4;
    private const int HostWide = -1;

    private readonly Dictionary<Key, Entry> _entries = [];
    // Expiry order, lazily cleaned: a refreshed entry leaves its old item behind, skipped when it surfaces.
    private readonly PriorityQueue<Key, int> _byExpiry = new();
    // One string per distinct name, however many addresses and processes share it.
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _epoch;
    private readonly int _floorSeconds;
    private readonly int _ceilingSeconds;

    public DnsNameCache(int capacity, TimeSpan ttlFloor, TimeSpan ttlCeiling, DateTimeOffset epoch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ttlFloor, ttlCeiling);
        Capacity = capacity;
        _floorSeconds = (int)Math.Ceiling(ttlFloor.TotalSeconds);
        _ceilingSeconds = (int)Math.Ceiling(ttlCeiling.TotalSeconds);
        _epoch = epoch;
    }

    /// <summary>Entries held at most (one per address for each process that resolved it, plus one host-wide).</summary>
    public int Capacity { get; }

    public int Count => _entries.Count;

    /// <summary>Entries dropped before they expired to stay within <see cref="Capacity"/>.</summary>
    public long Evictions { get; private set; }

    /// <summary>
    /// Learns the addresses of a response <paramref name="pid"/> received: each A/AAAA answer maps to the name the
    /// process asked for, and to the canonical name it led to when that differs (CNAME chains).
    /// </summary>
    public void Add(int pid, DnsMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.IsResponse || response.ResponseCode != 0 || response.QuestionName.Length == 0)
        {
            return;
        }
        int nowSecond = SecondOf(now);
        Purge(nowSecond);
        string asked = Intern(response.QuestionName);
        foreach (var answer in response.Answers)
        {
            if (answer.Address is not { } address)
            {
                continue;
            }
            int ttl = (int)Math.Clamp(answer.Ttl, (uint)_floorSeconds, (uint)_ceilingSeconds);
            var addressKey = AddressKey.From(address);
            if (answer.Name != response.QuestionName)
            {
                string canonical = Intern(answer.Name);
                Remember(new Key(pid, addressKey), canonical, nowSecond + ttl);
                Remember(new Key(HostWide, addressKey), canonical, nowSecond + ttl);
            }
            Remember(new Key(pid, addressKey), asked, nowSecond + ttl);
            Remember(new Key(HostWide, addressKey), asked, nowSecond + ttl);
        }
    }

    /// <summary>The names for a destination <paramref name="pid"/> reached; null when none is known.</summary>
    public DomainNames? Lookup(int pid, IPAddress address, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(address);
        int nowSecond = SecondOf(now);
        var addressKey = AddressKey.From(address);
        bool own = TryGetLive(new Key(pid, addressKey), nowSecond, out var mine);
        bool shared = TryGetLive(new Key(HostWide, addressKey), nowSecond, out var everyone);
        if (!own && !shared)
        {
            return null;
        }
        var first = own ? mine : everyone;
        var others = new List<string>(MaxNamesPerEntry);
        foreach (var source in own && shared ? [first, everyone] : new[] { first })
        {
            foreach (var name in source.Names())
            {
                if (!ReferenceEquals(name, first.Name) && !others.Contains(name) && others.Count < MaxNamesPerEntry)
                {
                    others.Add(name);
                }
            }
        }
        return new DomainNames(first.Name, others);
    }

    /// <summary>Drops the entries whose time is up (also done on every <see cref="Add"/>).</summary>
    public void Purge(DateTimeOffset now) => Purge(SecondOf(now));

    private void Purge(int nowSecond)
    {
        while (_byExpiry.TryPeek(out _, out int expires) && expires <= nowSecond)
        {
            RemoveEarliest(countEviction: false);
        }
    }

    private void Remember(Key key, string name, int expires)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            entry = entry.WithMostRecent(name, Math.Max(expires, entry.Expires));
        }
        else
        {
            while (_entries.Count >= Capacity)
            {
                RemoveEarliest(countEviction: true);
            }
            entry = new Entry(name, null, expires);
        }
        _entries[key] = entry;
        _byExpiry.Enqueue(key, entry.Expires);
        if (_byExpiry.Count > 2 * Capacity + 64)
        {
            RebuildExpiryOrder();
        }
    }

    private void RemoveEarliest(bool countEviction)
    {
        while (_byExpiry.TryDequeue(out var key, out int expires))
        {
            if (_entries.TryGetValue(key, out var entry) && entry.Expires == expires)
            {
                _entries.Remove(key);
                if (countEviction)
                {
                    Evictions++;
                }
                if (_entries.Count == 0)
                {
                    _names.Clear();
                }
                return;
            }
        }
    }

    private void RebuildExpiryOrder()
    {
        _byExpiry.Clear();
        foreach (var (key, entry) in _entries)
        {
            _byExpiry.Enqueue(key, entry.Expires);
        }
        // Names no entry holds any more are dropped with the rebuild (bounded by the same trigger).
        var live = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in _entries.Values)
        {
            foreach (var name in entry.Names())
            {
                live.Add(name);
            }
        }
        _names.Clear();
        foreach (var name in live)
        {
            _names[name] = name;
        }
    }

    private bool TryGetLive(Key key, int nowSecond, out Entry entry) =>
        _entries.TryGetValue(key, out entry) && entry.Expires > nowSecond;

    private string Intern(string name)
    {
        if (_names.TryGetValue(name, out var known))
        {
            return known;
        }
        if (_names.Count >= (MaxNamesPerEntry + 1) * Capacity)
        {
            RebuildExpiryOrder();
        }
        _names[name] = name;
        return name;
    }

    private int SecondOf(DateTimeOffset now) => (int)Math.Clamp((now - _epoch).TotalSeconds, 0, int.MaxValue / 2);

    private readonly record struct Key(int Pid, AddressKey Address);

    /// <summary>The most recent name inline; older ones (rare: several names on one address) in a small array.</summary>
    private readonly record struct Entry(string Name, string[]? Older, int Expires)
    {
        public IEnumerable<string> Names()
        {
            yield return Name;
            foreach (var name in Older ?? [])
            {
                yield return name;
            }
        }

        public Entry WithMostRecent(string name, int expires)
        {
            if (ReferenceEquals(name, Name))
            {
                return this with { Expires = expires };
            }
            var older = new List<string>(MaxNamesPerEntry) { Name };
            foreach (var previous in Older ?? [])
            {
                if (!ReferenceEquals(previous, name) && older.Count < MaxNamesPerEntry - 1)
                {
                    older.Add(previous);
                }
            }
            return new Entry(name, [.. older], expires);
        }
    }
}
