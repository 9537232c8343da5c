using System.Net;

namespace NetSentinel.Core.Detection;

/// <summary>
/// Lifetime bytes per program, and per (program, destination address), so a detector can ask what a
/// program usually does everywhere except the destination at hand. Bounded: past
/// <see cref="MaxPrograms"/> programs or <see cref="MaxPairs"/> pairs it starts over, which only makes
/// history look young (the detector then falls back to its absolute rule).
/// </summary>
public sealed class TrafficHistory
{
    public const int MaxPrograms = 10_000;
    public const int MaxPairs = 50_000;

    private readonly Dictionary<string, Totals> _programs = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, IPAddress), Totals> _pairs = [];

    public void Add(string programKey, IPAddress address, long sent, long received)
    {
        if (_programs.Count >= MaxPrograms || _pairs.Count >= MaxPairs)
        {
            _programs.Clear();
            _pairs.Clear();
        }
        Accumulate(_programs, programKey, sent, received);
        Accumulate(_pairs, (programKey, address), sent, received);
    }

    /// <summary>The program's bytes to every destination other than <paramref name="address"/>.</summary>
    public (long Sent, long Received) Elsewhere(string programKey, IPAddress address)
    {
        var all = _programs.GetValueOrDefault(programKey);
        var here = _pairs.GetValueOrDefault((programKey, address));
        return (all.Sent - here.Sent, all.Received - here.Received);
    }

    private static void Accumulate<TKey>(Dictionary<TKey, Totals> totals, TKey key, long sent, long received) where TKey : notnull
    {
        var current = totals.GetValueOrDefault(key);
        totals[key] = new Totals(current.Sent + sent, current.Received + received);
    }

    private readonly record struct Totals(long Sent, long Received);
}
