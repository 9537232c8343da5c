using System.Net.Sockets;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Detection;

/// <summary>
/// The destinations each program was seen reaching while learning, generalized to an address block (/24 IPv4,
/// /64 IPv6 by default) so that a service answering from a neighbouring address is not "new". This is what the
/// state file persists, with how many intervals of learning it holds (its maturity), and, for destinations that had
/// a name, (program, registrable domain, port, transport).
/// </summary>
public sealed class LearnedBaseline(int ipv4Prefix, int ipv6Prefix)
{
    private readonly HashSet<BaselineEntry> _entries = [];
    private readonly HashSet<NamedDestination> _named = [];

    public int IPv4Prefix { get; } = ipv4Prefix;
    public int IPv6Prefix { get; } = ipv6Prefix;

    /// <summary>Learning intervals completed, as saved and reloaded (capped by the caller at what is required).</summary>
    public int SamplesSeen { get; set; }

    /// <summary>True when entries were added since <see cref="MarkSaved"/>.</summary>
    public bool IsDirty { get; private set; }

    public IReadOnlyCollection<BaselineEntry> Entries => _entries;

    public int Count => _entries.Count;

    public BaselineEntry EntryFor(ConnectionEvent connectionEvent)
    {
        var address = CanonicalAddress.Of(connectionEvent.Remote.Address);
        int prefix = address.AddressFamily == AddressFamily.InterNetwork ? IPv4Prefix : IPv6Prefix;
        return new BaselineEntry(connectionEvent.Process.ProgramKey, NetworkPrefix.Mask(address, prefix), prefix,
            connectionEvent.Remote.Port, connectionEvent.Transport);
    }

    /// <summary>(program, registrable domain, port, transport) learned from destinations that had a name.</summary>
    public IReadOnlyCollection<NamedDestination> NamedEntries => _named;

    /// <summary>Known by its address block, or — when the destination has a name — by its registrable domain, so a
    /// known service answering from a new CDN address is not new.</summary>
    public bool Contains(ConnectionEvent connectionEvent) =>
        (_entries.Count > 0 && _entries.Contains(EntryFor(connectionEvent))) ||
        (_named.Count > 0 && NamedDestination.Of(connectionEvent) is { } named && _named.Contains(named));

    /// <summary>Learns the event's destination (its address block, and its domain when named); true when it was not known.</summary>
    public bool Learn(ConnectionEvent connectionEvent)
    {
        bool newName = NamedDestination.Of(connectionEvent) is { } named && Add(named);
        return Add(EntryFor(connectionEvent)) | newName;
    }

    public bool Add(NamedDestination named)
    {
        bool added = _named.Add(named);
        IsDirty |= added;
        return added;
    }

    public bool Add(BaselineEntry entry)
    {
        bool added = _entries.Add(entry);
        IsDirty |= added;
        return added;
    }

    public void MarkSaved() => IsDirty = false;

    /// <summary>Marks the baseline as needing a save (its maturity changed).</summary>
    public void MarkChanged() => IsDirty = true;
}
