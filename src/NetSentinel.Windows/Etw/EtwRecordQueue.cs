using System.Collections.Concurrent;

namespace NetSentinel.Windows.Etw;

/// <summary>
/// The hand-off between a TraceEvent processing thread (producer) and the monitor thread (consumer), one per
/// session (kernel network records, DNS-Client records). Bounded: when the monitor falls behind, new records are dropped and counted instead of growing
/// memory without limit; the count is reported as lost events.
/// </summary>
internal sealed class EtwRecordQueue<TRecord> : IDisposable
    where TRecord : struct
{
    private readonly ConcurrentQueue<TRecord> _items = new();
    private readonly ManualResetEventSlim _available = new(false);
    private readonly int _capacity;
    private int _count;
    private long _dropped;

    public EtwRecordQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public int Count => Volatile.Read(ref _count);

    /// <summary>Producer side. False (and counted) when the queue is full.</summary>
    public bool TryEnqueue(in TRecord record)
    {
        if (Interlocked.Increment(ref _count) > _capacity)
        {
            Interlocked.Decrement(ref _count);
            Interlocked.Increment(ref _dropped);
            return false;
        }
        _items.Enqueue(record);
        _available.Set();
        return true;
    }

    /// <summary>Consumer side: waits at most <paramref name="maxWait"/> for a record; true when one is there.</summary>
    public bool WaitForRecords(TimeSpan maxWait)
    {
        if (!_items.IsEmpty) return true;
        if (maxWait > TimeSpan.Zero) _available.Wait(maxWait);
        return !_items.IsEmpty;
    }

    /// <summary>Consumer side: moves up to <paramref name="max"/> records into <paramref name="into"/>; returns how many.</summary>
    public int Drain(List<TRecord> into, int max)
    {
        // Reset before dequeuing: a record enqueued after this sets the signal again, so no wake-up is lost.
        _available.Reset();
        int moved = 0;
        while (moved < max && _items.TryDequeue(out var record))
        {
            Interlocked.Decrement(ref _count);
            into.Add(record);
            moved++;
        }
        if (!_items.IsEmpty) _available.Set();
        return moved;
    }

    /// <summary>Wakes a consumer waiting in <see cref="WaitForRecords"/> without a record of this queue (the producer
    /// has stopped, or another queue the consumer also drains has records); the next <see cref="Drain"/> clears it.</summary>
    public void Wake() => _available.Set();

    public void Dispose() => _available.Dispose();
}
