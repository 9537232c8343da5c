using System.Net;
using System.Runtime.InteropServices;

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

    private readonly Dictionary<HashedProgram, Totals> _programs = [];
    private readonly Dictionary<(HashedProgram, IPAddress), Totals> _pairs = [];

    public void Add(HashedProgram program, IPAddress address, long sent, long received)
    {
        if (_programs.Count >= MaxPrograms || _pairs.Count >= MaxPairs)
        {
            _programs.Clear();
            _pairs.Clear();
        }
        Accumulate(_programs, program, sent, received);
        Accumulate(_pairs, (program, address), sent, received);
    }

    /// <summary>The program's bytes to every destination other than <paramref name="address"/>.</summary>
    public (long Sent, long Received) Elsewhere(HashedProgram program, IPAddress address)
    {
        var all = _programs.GetValueOrDefault(program);
        var here = _pairs.GetValueOrDefault((program, address));
        return (all.Sent - here.Sent, all.Received - here.Received);
    }

    private static void Accumulate<TKey>(Dictionary<TKey, Totals> totals, TKey key, long sent, long received) where TKey : notnull
    {
        ref Totals current = ref CollectionsMarshal.GetValueRefOrAddDefault(totals, key, out _); // one lookup
        current = new Totals(current.Sent + sent, current.Received + received);
    }

    private readonly record struct Totals(long Sent, long Received);
}
