using System.Numerics;

namespace NetSentinel.Core.Detection;

/// <summary>The last N connection start times and sizes of one (program, destination): a fixed-size ring.</summary>
public sealed class BeaconHistory(int capacity)
{
    // What a beacon storm holds is its series (one per program and destination, up to BeaconDetector.MaxTrackedSeries),
    // so a series is two plain rings, grown as connections come (4, 8, 16, … up to capacity: most series are one or
    // two connections — a storm to a thousand ports is a thousand series): starts as UTC ticks (8 bytes, not a
    // DateTimeOffset's 16) and sizes. A full 32-connection series is ~0.6 KB with its key; two Queues were ~1.07 KB.
    // The rings are structs held in this object's own fields, so a start or a size costs one pointer chase (to the ring's
    // array), not two: in a connect storm over a thousand ports each connection reaches a different, cache-cold series.
    private Ring _times;
    private Ring _sizes;

    // The oldest start held, kept as the ring changes (only AddStart changes _times): read on every connection by
    // BeaconDetector's span test, it spares a load from the ring's array, cold in a storm over many series.
    private DateTimeOffset _firstStart;

    /// <summary>Connections seen in total, including those no longer held.</summary>
    public long Observations { get; private set; }

    public DateTimeOffset LastSeen { get; private set; }

    /// <summary>The starts held, oldest first (UTC).</summary>
    public IReadOnlyList<DateTimeOffset> Times => [.. _times.Values().Select(ticks => new DateTimeOffset(ticks, TimeSpan.Zero))];

    /// <summary>How many starts are held.</summary>
    public int Count => _times.Count;

    /// <summary>The oldest start still held (default while none is).</summary>
    public DateTimeOffset FirstStart => _firstStart;

    /// <summary>The sizes held, oldest first.</summary>
    public IReadOnlyList<long> Sizes => [.. _sizes.Values()];

    /// <summary>Copies the starts held (UTC ticks, oldest first) into <paramref name="into"/>; returns them (no allocation: scored per connection).</summary>
    public ReadOnlySpan<long> CopyStarts(Span<long> into) => _times.CopyTo(into);

    /// <summary>Copies the sizes held (oldest first) into <paramref name="into"/>; returns them.</summary>
    public ReadOnlySpan<long> CopySizes(Span<long> into) => _sizes.CopyTo(into);

    public void AddStart(DateTimeOffset at)
    {
        // Events can arrive slightly out of order across CPUs; a start earlier than the last keeps the series sorted.
        if (_times.Count > 0 && at < LastSeen)
        {
            at = LastSeen;
        }
        if (_times.Add(at.UtcTicks, capacity))
        {
            _firstStart = new DateTimeOffset(_times.Oldest, TimeSpan.Zero); // the oldest made room for this one
        }
        else if (_times.Count == 1)
        {
            _firstStart = at;
        }
        LastSeen = at;
        Observations++;
    }

    public void AddSize(long bytes) => _sizes.Add(bytes, capacity);

    /// <summary>
    /// The latest <c>capacity</c> values, in a buffer that doubles as they come, up to the power of two that holds
    /// <c>capacity</c>: positions wrap with a mask, not a division (a connect storm adds two values a connection).
    /// </summary>
    private struct Ring
    {
        private long[] _values;
        private int _start;

        public int Count { readonly get; private set; }

        public readonly long Oldest => _values[_start];

        /// <summary>Adds <paramref name="value"/>; true when the ring was full and its oldest value was dropped.</summary>
        public bool Add(long value, int capacity)
        {
            _values ??= [];
            int mask = _values.Length - 1;
            if (Count == capacity)
            {
                _values[(_start + Count) & mask] = value; // full: the oldest makes room
                _start = (_start + 1) & mask;
                return true;
            }
            if (Count == _values.Length)
            {
                var grown = new long[Math.Min((int)BitOperations.RoundUpToPowerOf2((uint)capacity), Math.Max(4, 2 * _values.Length))];
                for (int i = 0; i < Count; i++)
                {
                    grown[i] = _values[(_start + i) & mask];
                }
                (_values, _start, mask) = (grown, 0, grown.Length - 1);
            }
            _values[(_start + Count) & mask] = value;
            Count++;
            return false;
        }

        public readonly ReadOnlySpan<long> CopyTo(Span<long> into)
        {
            var held = into[..Count];
            for (int i = 0; i < Count; i++)
            {
                held[i] = _values[(_start + i) & (_values.Length - 1)];
            }
            return held;
        }

        public readonly IEnumerable<long> Values()
        {
            var values = _values ?? [];
            for (int i = 0; i < Count; i++)
            {
                yield return values[(_start + i) & (values.Length - 1)];
            }
        }
    }
}
