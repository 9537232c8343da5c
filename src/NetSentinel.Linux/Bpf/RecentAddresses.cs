using System.Net;
using System.Runtime.InteropServices;
using NetSentinel.Linux.Bpf.Abi;

namespace NetSentinel.Linux.Bpf;

/// <summary>
/// The addresses of recent records, decoded once: a host talks to few addresses at a time and every record names
/// two, so handing back the <see cref="IPAddress"/> decoded last time spares an allocation per address and lets
/// the detectors' tables reuse its cached hash code. Direct-mapped (a slot per hash of the bytes, the newest wins),
/// so a lookup is one comparison and the memory is fixed. The remote endpoint (address and port) is kept the same
/// way: a storm to one server, or a program calling its few servers, names the same few remote endpoints, and each
/// connection's events would otherwise carry a new <see cref="IPEndPoint"/> (the local one, an ephemeral port each
/// time, is made per record). Nothing changes an endpoint once made, so sharing one is safe. Single-threaded: the
/// monitor's thread.
/// </summary>
internal sealed class RecentAddresses
{
    private const int SlotBits = 6;
    private const int Slots = 1 << SlotBits;

    private const int EndpointSlotBits = 10;
    private const int EndpointSlots = 1 << EndpointSlotBits;

    private readonly Slot[] _slots = new Slot[Slots];
    private readonly IPEndPoint?[] _remotes = new IPEndPoint?[EndpointSlots];

    /// <summary>The address in the first 4 (AF_INET) or 16 bytes of <paramref name="bytes"/>, as <see cref="BpfText.Address"/> decodes it.</summary>
    public IPAddress Get(ushort family, ReadOnlySpan<byte> bytes) => Get(family, bytes, out _);

    private IPAddress Get(ushort family, ReadOnlySpan<byte> bytes, out int index)
    {
        bool v6 = family == NsAbi.AfInet6;
        ulong low = MemoryMarshal.Read<ulong>(bytes);
        ulong high = v6 ? MemoryMarshal.Read<ulong>(bytes[8..]) : 0;
        if (!v6) low &= 0xFFFF_FFFF; // an IPv4 address is its first four bytes; the rest of the field is not ours to read
        index = (int)(((low ^ (high * 31) ^ family) * 0x9E37_79B9_7F4A_7C15UL) >> (64 - SlotBits)); // the product's top bits
        ref Slot slot = ref _slots[index];
        if (slot.Address is { } known && slot.Low == low && slot.High == high && slot.Family == family) return known;
        IPAddress decoded = BpfText.Address(family, bytes);
        slot = new Slot(low, high, family, decoded);
        return decoded;
    }

    public (IPEndPoint Local, IPEndPoint Remote) Endpoints(in NsEndpoints ends)
    {
        unsafe
        {
            fixed (byte* saddr = ends.Saddr)
            fixed (byte* daddr = ends.Daddr)
            {
                return (new IPEndPoint(Get(ends.Family, new ReadOnlySpan<byte>(saddr, 16)), BpfText.Port(ends.Sport)),
                        Remote(ends.Family, new ReadOnlySpan<byte>(daddr, 16), BpfText.Port(ends.Dport)));
            }
        }
    }

    /// <summary>The endpoint made last time for this address and port. The slot is the port's low bits mixed with the address's
    /// slot, so one server's ports (a storm over a range of them) or many servers' one port (443) spread over the table.</summary>
    private IPEndPoint Remote(ushort family, ReadOnlySpan<byte> bytes, int port)
    {
        IPAddress address = Get(family, bytes, out int addressSlot);
        ref IPEndPoint? slot = ref _remotes[(port + (addressSlot * 97)) & (EndpointSlots - 1)];
        if (slot is { } known && ReferenceEquals(known.Address, address) && known.Port == port) return known;
        return slot = new IPEndPoint(address, port);
    }

    private readonly record struct Slot(ulong Low, ulong High, ushort Family, IPAddress? Address);
}
