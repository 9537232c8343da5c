using System.Buffers;
using System.Net;

namespace NetSentinel.Core.Dns;

/// <summary>
/// Address → names, learned from the DNS answers processes received, per process and host-wide.
/// An entry lives for the answer's TTL held between a floor (a program connects a little after its answer
/// expired, and short CDN TTLs would otherwise lose most names) and a ceiling (an address reused by another
/// owner keeps a stale name at most that long). A name is never guessed or looked up: only what a process was told is known.
/// <para>
/// Memory: one entry per address in the common case. The host-wide entry remembers which process resolved its
/// most recent name (its owner), and stands for that process's own view; a process gets an entry of its own only
/// when another process moves the host-wide entry on (the previous owner's view is copied first). Bounded: past
/// <see cref="Capacity"/> entries, expired ones are swept and then the sixteenth of entries nearest to expiry goes
/// at once, counted in <see cref="Evictions"/> (a batch, so eviction costs O(1) per insert amortized, with no
/// expiry index to keep beside the entries).
/// </para>
/// </summary>
public sealed class DnsNameCache
{
    /// <summary>Names kept per address and owner (the most recent first).</summary>
    public const int MaxNamesPerEntry = 4;
    private const int HostWide = -1;
    private const int NoOwner = int.MinValue;
    /// <summary>Expired entries are swept at most this often (lookups never return them meanwhile).</summary>
    private const int SweepEverySeconds = 30;

    private readonly Dictionary<Key, Entry> _entries = [];
    // One string per distinct name, however many addresses and processes share it.
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _epoch;
    private readonly int _floorSeconds;
    private readonly int _ceilingSeconds;
    private int _nextSweep;

    public DnsNameCache(int capacity, TimeSpan ttlFloor, TimeSpan ttlCeiling, DateTimeOffset epoch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ttlFloor, ttlCeiling);
        Capacity = capacity;
        _floorSeconds = (int)Math.Ceiling(ttlFloor.TotalSeconds);
        _ceilingSeconds = (int)Math.Ceiling(ttlCeiling.TotalSeconds);
        _epoch = epoch;
    }

    /// <summary>Entries held at most: one per address, plus one per further process that resolved the address.</summary>
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
            int expires = nowSecond + (int)Math.Clamp(answer.Ttl, (uint)_floorSeconds, (uint)_ceilingSeconds);
            var addressKey = AddressKey.From(address);
            if (answer.Name != response.QuestionName)
            {
                Remember(pid, addressKey, Intern(answer.Name), expires, nowSecond);
            }
            Remember(pid, addressKey, asked, expires, nowSecond);
        }
    }

    /// <summary>The names for a destination <paramref name="pid"/> reached; null when none is known.</summary>
    public DomainNames? Lookup(int pid, IPAddress address, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (_entries.Count == 0)
        {
            return null; // no answer seen yet (or all expired): spares every connection two lookups
        }
        int nowSecond = SecondOf(now);
        var addressKey = AddressKey.From(address);
        bool shared = TryGetLive(new Key(HostWide, addressKey), nowSecond, out var everyone);
        bool own = TryGetLive(new Key(pid, addressKey), nowSecond, out var mine);
        if (!own && shared && everyone.Owner == pid)
        {
            (own, mine) = (true, everyone); // the host-wide entry is this process's own view
        }
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

    /// <summary>Drops the entries whose time is up (at most every 30 s; also tried on every <see cref="Add"/>).</summary>
    public void Purge(DateTimeOffset now) => Purge(SecondOf(now));

    private void Purge(int nowSecond)
    {
        if (nowSecond >= _nextSweep)
        {
            Sweep(nowSecond);
        }
    }

    private void Remember(int pid, AddressKey address, string name, int expires, int nowSecond)
    {
        var hostKey = new Key(HostWide, address);
        if (TryGetLive(hostKey, nowSecond, out var host) && host.Owner != pid && host.Owner != NoOwner)
        {
            // The host-wide entry moves on to this process: its previous owner keeps its own view first.
            var previousKey = new Key(host.Owner, address);
            if (!_entries.ContainsKey(previousKey))
            {
                Set(previousKey, host with { Owner = NoOwner }, nowSecond);
            }
        }
        Set(hostKey, TryGetLive(hostKey, nowSecond, out host)
            ? host.WithMostRecent(name, Math.Max(expires, host.Expires)) with { Owner = pid }
            : new Entry(name, null, expires, pid), nowSecond);
        var ownKey = new Key(pid, address);
        if (TryGetLive(ownKey, nowSecond, out var own))
        {
            _entries[ownKey] = own.WithMostRecent(name, Math.Max(expires, own.Expires));
        }
    }

    /// <summary>Stores an entry, making room first when it is a new key.</summary>
    private void Set(Key key, Entry entry, int nowSecond)
    {
        if (!_entries.ContainsKey(key) && _entries.Count >= Capacity)
        {
            Sweep(nowSecond);
            if (_entries.Count >= Capacity)
            {
                EvictNearestExpiry(Math.Max(1, Capacity / 16));
            }
        }
        _entries[key] = entry;
    }

    private void Sweep(int nowSecond)
    {
        _nextSweep = nowSecond + SweepEverySeconds;
        foreach (var (key, entry) in _entries)
        {
            if (entry.Expires <= nowSecond)
            {
                _entries.Remove(key); // allowed while enumerating a Dictionary
            }
        }
        DropUnusedNames();
    }

    /// <summary>Removes <paramref name="count"/> entries, those nearest to expiry.</summary>
    private void EvictNearestExpiry(int count)
    {
        int[] expiries = ArrayPool<int>.Shared.Rent(_entries.Count);
        int n = 0;
        foreach (var entry in _entries.Values)
        {
            expiries[n++] = entry.Expires;
        }
        Array.Sort(expiries, 0, n);
        int threshold = expiries[Math.Min(count, n) - 1];
        int atThreshold = count - Array.IndexOf(expiries, threshold, 0, n); // how many entries expiring at the threshold go
        ArrayPool<int>.Shared.Return(expiries);
        foreach (var (key, entry) in _entries)
        {
            if (entry.Expires < threshold || (entry.Expires == threshold && atThreshold-- > 0))
            {
                _entries.Remove(key);
                Evictions++;
            }
        }
        DropUnusedNames();
    }

    /// <summary>Forgets the names no entry holds any more, once they clearly outnumber the entries.</summary>
    private void DropUnusedNames()
    {
        if (_names.Count <= 2 * _entries.Count + 64)
        {
            return;
        }
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
            DropUnusedNames();
        }
        _names[name] = name;
        return name;
    }

    private int SecondOf(DateTimeOffset now) => (int)Math.Clamp((now - _epoch).TotalSeconds, 0, int.MaxValue / 2);

    private readonly record struct Key(int Pid, AddressKey Address);

    /// <summary>The most recent name inline; older ones (rare: several names on one address) in a small array.
    /// <paramref name="Owner"/>: on a host-wide entry, the process that resolved <paramref name="Name"/> (its own view
    /// lives here until another process moves the entry on); unused on a process's entry.</summary>
    private readonly record struct Entry(string Name, string[]? Older, int Expires, int Owner)
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
            return this with { Name = name, Older = [.. older], Expires = expires };
        }
    }
}
