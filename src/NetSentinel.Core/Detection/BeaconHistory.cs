namespace NetSentinel.Core.Detection;

/// <summary>The last N connection start times and sizes of one (process, destination): a fixed-size ring.</summary>
public sealed class BeaconHistory(int capacity)
{
    // Grown as connections come (4, 8, 16, … up to capacity), not allocated whole: most series are one or two
    // connections (a storm to a thousand ports is a thousand series), and a full one was ~770 B.
    private readonly Queue<DateTimeOffset> _times = new();
    private readonly Queue<long> _sizes = new();

    /// <summary>Connections seen in total, including those no longer held.</summary>
    public long Observations { get; private set; }

    public DateTimeOffset LastSeen { get; private set; }

    public IReadOnlyCollection<DateTimeOffset> Times => _times;

    /// <summary>The oldest start still held.</summary>
    public DateTimeOffset FirstStart => _times.Peek();

    public IReadOnlyCollection<long> Sizes => _sizes;

    public void AddStart(DateTimeOffset at)
    {
        // Events can arrive slightly out of order across CPUs; a start earlier than the last keeps the series sorted.
        if (_times.Count > 0 && at < LastSeen)
        {
            at = LastSeen;
        }
        if (_times.Count == capacity)
        {
            _times.Dequeue();
        }
        _times.Enqueue(at);
        LastSeen = at;
        Observations++;
    }

    public void AddSize(long bytes)
    {
        if (_sizes.Count == capacity)
        {
            _sizes.Dequeue();
        }
        _sizes.Enqueue(bytes);
    }
}
