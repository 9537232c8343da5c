using System.Runtime.InteropServices;
using NetSentinel.Core.Native;

namespace NetSentinel.Linux.Bpf;

/// <summary>
/// How full the kernel's event ring buffer is, for the metrics endpoint: its consumer and producer
/// positions, read from a read-only mapping of the ring buffer map's two position pages (the layout
/// libbpf's consumer uses; libbpf 1.1 has no <c>ring__avail_data_size</c> to ask). Safe to read from
/// any thread while the map is open: two aligned 64-bit loads.
/// </summary>
internal sealed unsafe class RingBufferFill : IDisposable
{
    private readonly byte* _pages;
    private readonly nuint _length;
    private readonly int _pageSize;

    private RingBufferFill(byte* pages, nuint length, int pageSize, long capacity)
    {
        _pages = pages;
        _length = length;
        _pageSize = pageSize;
        CapacityBytes = capacity;
    }

    /// <summary>Maps the positions of the ring buffer map <paramref name="mapFd"/>; null (and why) when the kernel refuses.</summary>
    public static RingBufferFill? TryOpen(int mapFd, long capacity, out string? problem)
    {
        int pageSize = Environment.SystemPageSize;
        nuint length = (nuint)(2 * pageSize); // page 0: consumer position, page 1: producer position
        nint pages = LibC.Mmap(null, length, LibC.PROT_READ, LibC.MAP_SHARED, mapFd, 0);
        if (pages == LibC.MAP_FAILED)
        {
            problem = $"cannot map the ring buffer's positions: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}";
            return null;
        }
        problem = null;
        return new RingBufferFill((byte*)pages, length, pageSize, capacity);
    }

    /// <summary>The ring buffer's size (its map's max_entries).</summary>
    public long CapacityBytes { get; }

    /// <summary>Bytes written by the kernel and not yet consumed (record headers included), 0 to <see cref="CapacityBytes"/>.</summary>
    public long QueuedBytes
    {
        get
        {
            // The consumer first: it never passes the producer, so the difference is never negative.
            long consumer = Volatile.Read(ref *(long*)_pages);
            long producer = Volatile.Read(ref *(long*)(_pages + _pageSize));
            return Math.Clamp(producer - consumer, 0, CapacityBytes);
        }
    }

    public void Dispose() => LibC.Munmap(_pages, _length);
}
