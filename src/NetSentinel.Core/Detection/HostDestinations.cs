using System.Net;
using System.Net.Sockets;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Detection;

/// <summary>
/// Host-wide rarity, kept beside the per-program baseline: for each destination (address block at the baseline's
/// prefix, port, transport) the first program seen reaching it — from the loaded baseline, while learning, or since.
/// A destination no other program has reached is "new for every program on the host"
/// (<c>net_sentinel.first_seen_on_host</c>), which raises a beacon to high. Recorded at each program's first
/// sighting of a destination (new_destination's), so a connect storm to one place costs nothing here.
/// Memory: at most <see cref="MaxDestinations"/> destinations; past it, unknown ones are judged first seen.
/// </summary>
public sealed class HostDestinations
{
    public const int MaxDestinations = 200_000;

    private readonly record struct Block(IPAddress Network, int Port, Transport Transport);

    private readonly Dictionary<Block, string> _firstProgram = [];
    private readonly int _ipv4Prefix;
    private readonly int _ipv6Prefix;

    public HostDestinations(LearnedBaseline baseline)
    {
        _ipv4Prefix = baseline.IPv4Prefix;
        _ipv6Prefix = baseline.IPv6Prefix;
        foreach (var entry in baseline.Entries)
        {
            _firstProgram.TryAdd(new Block(entry.Network, entry.Port, entry.Transport), entry.ProgramKey);
        }
    }

    public int Count => _firstProgram.Count;

    /// <summary>Records that the event's program reached its destination (the first program to do so is kept).</summary>
    public void Record(ConnectionEvent connectionEvent)
    {
        if (_firstProgram.Count < MaxDestinations)
        {
            _firstProgram.TryAdd(BlockOf(connectionEvent), connectionEvent.Process.ProgramKey);
        }
    }

    /// <summary>True when no program but the event's own has reached its destination.</summary>
    public bool IsFirstSeenBy(ConnectionEvent connectionEvent) =>
        !_firstProgram.TryGetValue(BlockOf(connectionEvent), out string? first) || first == connectionEvent.Process.ProgramKey;

    private Block BlockOf(ConnectionEvent connectionEvent)
    {
        var address = CanonicalAddress.Of(connectionEvent.Remote.Address);
        int prefix = address.AddressFamily == AddressFamily.InterNetwork ? _ipv4Prefix : _ipv6Prefix;
        return new Block(NetworkPrefix.Mask(address, prefix), connectionEvent.Remote.Port, connectionEvent.Transport);
    }
}
