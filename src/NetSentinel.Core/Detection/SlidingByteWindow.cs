namespace NetSentinel.Core.Detection;

/// <summary>
/// Bytes sent and received within a sliding window, kept in time buckets one sixtieth of the window wide, so
/// memory stays bounded (about <see cref="Buckets"/> entries) however many Traffic events arrive; the window is
/// exact to one bucket's width.
/// </summary>
public sealed class SlidingByteWindow(TimeSpan window)
{
    public const int Buckets = 60;

    private sealed class Bucket(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;
        public long Sent { get; set; }
        public long Received { get; set; }
    }

    private readonly Queue<Bucket> _buckets = new();
    private readonly TimeSpan _bucketWidth = window / Buckets;
    private Bucket? _newest;

    public long Sent { get; private set; }
    public long Received { get; private set; }
    public DateTimeOffset LastSeen { get; private set; }

    public void Add(DateTimeOffset at, long sent, long received)
    {
        Expire(at);
        if (_newest is null || at - _newest.Start >= _bucketWidth)
        {
            _newest = new Bucket(at);
            _buckets.Enqueue(_newest);
        }
        _newest.Sent += sent;
        _newest.Received += received;
        Sent += sent;
        Received += received;
        LastSeen = at;
    }

    /// <summary>Drops buckets that started before the window that ends at <paramref name="now"/>.</summary>
    public void Expire(DateTimeOffset now)
    {
        while (_buckets.Count > 0 && _buckets.Peek().Start <= now - window)
        {
            var old = _buckets.Dequeue();
            Sent -= old.Sent;
            Received -= old.Received;
            if (ReferenceEquals(old, _newest))
            {
                _newest = null;
            }
        }
    }
}
