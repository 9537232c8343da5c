using System.Net;
using NetSentinel.Core.Dns;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Output;

/// <summary>
/// The parts of a connection line that are the same on every line of a flow, kept from its latest line for its next:
/// a connection's opened and closed lines differ only in times, ids, the action and byte counts, and its close need not
/// format the rest again (two addresses, four ports, the pid, the connection id, the community id, related.*) with every
/// connection logged (issue #15; a few percent of the formatter's CPU, measured). Per thread, <see cref="Slots"/> slots
/// chosen by connection id; a slot is used only when everything its bytes were made from is the line's too — the
/// formatter (host.*), connection id, transport, both endpoints (value), the <see cref="ProcessInfo"/> and
/// <see cref="DomainNames"/> instances (immutable records, a new instance when anything about them changes, as
/// <see cref="ProcessJsonCache"/> relies on) and the source's name; anything else is formatted again and replaces the slot.
/// <para>
/// A slot is filled segment by segment while its line is formatted (<see cref="Begin"/>, <see cref="Store"/>,
/// <see cref="Complete"/>) and is a hit only once complete: a line whose formatting throws, or whose segments outgrow
/// <see cref="SlotBytes"/> (long domain lists), leaves the slot empty and nothing half-made behind.
/// </para>
/// </summary>
internal sealed class FlowJsonCache
{
    /// <summary>Segments per flow, in line order (see EcsJsonFormatter.WriteConnectionLine).</summary>
    public const int Segments = 6;

    internal const int Slots = 256;

    /// <summary>Most bytes of one flow's segments (host.* is not one of them): an IPv4 flow's are ~350, an IPv6 flow's ~450, more with domain names.</summary>
    internal const int SlotBytes = 1024;

    [ThreadStatic]
    private static FlowJsonCache? t_cache;

    private readonly byte[] _bytes = new byte[Slots * SlotBytes];
    private readonly int[] _ends = new int[Slots * Segments];
    private readonly Key[] _keys = new Key[Slots];
    private readonly int[] _filled = new int[Slots]; // segments stored while a slot is being filled

    /// <summary>Lines whose flow segments this cache gave (<see cref="Find"/> hits), for tests.</summary>
    internal long Hits { get; private set; }

    /// <summary>This thread's cache.</summary>
    public static FlowJsonCache Current => t_cache ??= new FlowJsonCache();

    /// <summary>
    /// The slot holding the flow's segments (a hit, ≥ 0), or the complement (~slot, &lt; 0) of the slot to fill with
    /// <see cref="Begin"/> when it holds another flow, an older state of this one, or nothing.
    /// </summary>
    public int Find(object owner, ulong connectionId, Transport transport, IPEndPoint local, IPEndPoint remote, ProcessInfo process,
        DomainNames? names, string source)
    {
        int slot = (int)(connectionId % Slots);
        ref Key key = ref _keys[slot];
        bool hit = key.Complete && key.ConnectionId == connectionId && key.Transport == transport && ReferenceEquals(key.Owner, owner)
                   && ReferenceEquals(key.Process, process) && ReferenceEquals(key.Names, names) && key.LocalPort == local.Port
                   && key.RemotePort == remote.Port && string.Equals(key.Source, source, StringComparison.Ordinal)
                   && local.Address.Equals(key.LocalAddress) && remote.Address.Equals(key.RemoteAddress);
        if (!hit)
        {
            return ~slot;
        }
        Hits++;
        return slot;
    }

    /// <summary>Empties <paramref name="slot"/> and keys it to the flow whose segments <see cref="Store"/> will add.</summary>
    public void Begin(int slot, object owner, ulong connectionId, Transport transport, IPEndPoint local, IPEndPoint remote, ProcessInfo process,
        DomainNames? names, string source)
    {
        _keys[slot] = new Key
        {
            Owner = owner,
            ConnectionId = connectionId,
            Transport = transport,
            LocalAddress = local.Address,
            LocalPort = local.Port,
            RemoteAddress = remote.Address,
            RemotePort = remote.Port,
            Process = process,
            Names = names,
            Source = source,
        };
        _filled[slot] = 0;
    }

    /// <summary>The slot's next segment (in order); one that does not fit leaves the slot unusable until its next <see cref="Begin"/>.</summary>
    public void Store(int slot, ReadOnlySpan<byte> segment)
    {
        int index = _filled[slot];
        if (index < 0 || index >= Segments)
        {
            return;
        }
        int start = index == 0 ? 0 : _ends[(slot * Segments) + index - 1];
        if (start + segment.Length > SlotBytes)
        {
            _filled[slot] = -1;
            return;
        }
        segment.CopyTo(_bytes.AsSpan((slot * SlotBytes) + start));
        _ends[(slot * Segments) + index] = start + segment.Length;
        _filled[slot] = index + 1;
    }

    /// <summary>The slot is a hit from now on, if every segment was stored.</summary>
    public void Complete(int slot) => _keys[slot].Complete = _filled[slot] == Segments;

    /// <summary>Segment <paramref name="index"/> of a slot <see cref="Find"/> found.</summary>
    public ReadOnlySpan<byte> Segment(int slot, int index)
    {
        int start = index == 0 ? 0 : _ends[(slot * Segments) + index - 1];
        return _bytes.AsSpan((slot * SlotBytes) + start, _ends[(slot * Segments) + index] - start);
    }

    private struct Key
    {
        public bool Complete;
        public object? Owner;
        public ulong ConnectionId;
        public Transport Transport;
        public IPAddress? LocalAddress;
        public int LocalPort;
        public IPAddress? RemoteAddress;
        public int RemotePort;
        public ProcessInfo? Process;
        public DomainNames? Names;
        public string? Source;
    }
}
