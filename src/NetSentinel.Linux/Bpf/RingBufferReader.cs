namespace NetSentinel.Linux.Bpf;

/// <summary>
/// Reads a BPF ring buffer's records in place, from its memory as the kernel lays it out (kernel/bpf/ringbuf.c; the
/// loop libbpf's <c>ring_buffer__consume</c> runs): a consumer position user space owns, a producer position the
/// kernel owns, and the data area. The kernel maps the data twice back to back so that a record wrapping past the end
/// reads as one span; we map it once (the second copy's pages counted a second time in our RSS: 4 MiB for the same
/// memory), so the rare record that wraps is copied into a buffer of ours, in its two pieces.
/// Each record has an 8-byte header whose first 32 bits are its length plus two flags: busy (reserved, not yet
/// submitted: reading stops there, the records after it wait for the next read) and discarded (skipped).
/// No callback through native code per record: one managed loop and one delegate call per record.
/// A record is valid only during the handler's call: the consumer position, stored (release) after the handler
/// returns, hands its bytes back to the kernel. Not thread-safe; <see cref="QueuedBytes"/> may be read from any thread.
/// </summary>
internal sealed unsafe class RingBufferReader
{
    private const uint BusyBit = 1u << 31;
    private const uint DiscardBit = 1u << 30;
    private const int HeaderSize = 8;

    private readonly long* _consumer;
    private readonly long* _producer;
    private readonly byte* _data;
    private readonly long _mask;
    private readonly long _handBackBytes;
    private byte[] _wrapped = [];

    /// <summary>Within a pass, the space read is handed back each time this fraction of the ring has been read.</summary>
    public const int HandBackFraction = 16;

    /// <param name="consumer">The consumer position (the map's first page, mapped writable).</param>
    /// <param name="producer">The producer position (the map's second page).</param>
    /// <param name="data">The data area, <paramref name="capacity"/> bytes (mapped once: nothing past it is read).</param>
    /// <param name="capacity">The data area's size: the map's max_entries, a power of two.</param>
    public RingBufferReader(long* consumer, long* producer, byte* data, long capacity)
    {
        if (capacity <= 0 || (capacity & (capacity - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a ring buffer's size is a power of two");
        _consumer = consumer;
        _producer = producer;
        _data = data;
        _mask = capacity - 1;
        _handBackBytes = Math.Max(capacity / HandBackFraction, HeaderSize);
        CapacityBytes = capacity;
    }

    /// <summary>The data area's size.</summary>
    public long CapacityBytes { get; }

    /// <summary>Bytes written by the kernel and not yet consumed (headers included), 0 to <see cref="CapacityBytes"/>.</summary>
    public long QueuedBytes
    {
        get
        {
            // The consumer first: it never passes the producer, so the difference is never negative.
            long consumer = Volatile.Read(ref *_consumer);
            long producer = Volatile.Read(ref *_producer);
            return Math.Clamp(producer - consumer, 0, CapacityBytes);
        }
    }

    /// <summary>
    /// Hands every submitted record to <paramref name="handler"/> in order, up to the first busy one, and returns how many.
    /// A handler that throws has consumed its record (the consumer position is past it); the rest wait for the next read.
    /// </summary>
    public int Read(Action<ReadOnlySpan<byte>> handler)
    {
        long consumer = Volatile.Read(ref *_consumer);
        long stored = consumer;
        int records = 0;
        try
        {
            // Until the producer stops moving: records submitted while we read are read now, as libbpf does.
            for (long producer = Volatile.Read(ref *_producer); consumer < producer; producer = Volatile.Read(ref *_producer))
            {
                while (consumer < producer)
                {
                    long offset = consumer & _mask;
                    byte* header = _data + offset;
                    uint length = Volatile.Read(ref *(uint*)header); // acquire: the record's bytes are visible after its length
                    if ((length & BusyBit) != 0) return records;
                    uint size = length & ~(BusyBit | DiscardBit);
                    consumer += (size + HeaderSize + 7) & ~7L;
                    if ((length & DiscardBit) != 0) continue;
                    handler(offset + HeaderSize + size <= CapacityBytes
                        ? new ReadOnlySpan<byte>(header + HeaderSize, (int)size)
                        : Unwrap(offset + HeaderSize, (int)size));
                    records++;
                    if (consumer - stored >= _handBackBytes)
                    {
                        // A pass over a ring that is nearly full (the reader fell behind) frees space as it goes: the
                        // kernel drops a record it finds no room for, so space read must not wait for the pass's end.
                        Volatile.Write(ref *_consumer, consumer);
                        stored = consumer;
                    }
                }
                // Otherwise the space goes back once per pass, not per record: each store pulls the line the producers check.
                Volatile.Write(ref *_consumer, consumer);
                stored = consumer;
            }
            return records;
        }
        finally
        {
            if (consumer != stored) Volatile.Write(ref *_consumer, consumer);
        }
    }

    /// <summary>
    /// A record's bytes that run past the data area's end: the part before the end, then the rest from its start. The
    /// header never wraps (8 bytes at a multiple of 8), so <paramref name="from"/> (the bytes' offset) is at most the
    /// capacity; at the capacity the record starts at the data's start and needs no copy.
    /// </summary>
    private ReadOnlySpan<byte> Unwrap(long from, int size)
    {
        if (from >= CapacityBytes) return new ReadOnlySpan<byte>(_data + (from - CapacityBytes), size);
        if (_wrapped.Length < size) _wrapped = new byte[Math.Max(size, 4096)];
        int head = (int)(CapacityBytes - from);
        new ReadOnlySpan<byte>(_data + from, head).CopyTo(_wrapped);
        new ReadOnlySpan<byte>(_data, size - head).CopyTo(_wrapped.AsSpan(head));
        return _wrapped.AsSpan(0, size);
    }
}
