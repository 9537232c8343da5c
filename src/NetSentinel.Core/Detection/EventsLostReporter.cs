using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>
/// Turns the source's ever-growing loss counter into events_lost lines: at most one line per interval length,
/// each carrying everything lost since the previous line. Growth held back by the rate limit is carried
/// forward and written by a later report or by <see cref="Flush"/>, never dropped.
/// </summary>
public sealed class EventsLostReporter(IRecordSink output, string sourceName, TimeSpan minimumSpacing)
{
    private long _lastSourceTotal;
    private long _totalLost;
    private long _pending;
    private DateTimeOffset? _lastLineAt;

    /// <summary>Total lost as of the last report.</summary>
    public long TotalLost => _totalLost;

    /// <summary>Lost since the last line written, not yet written.</summary>
    public long Pending => _pending;

    /// <summary>Takes the source's current total; returns how much it grew since the previous call.</summary>
    public long Report(long eventsLostTotal, DateTimeOffset now)
    {
        // The source promises the counter never decreases; if one does (a restarted source), its new count is
        // all new loss, and our own total keeps growing rather than going backwards.
        var growth = eventsLostTotal >= _lastSourceTotal ? eventsLostTotal - _lastSourceTotal : eventsLostTotal;
        _lastSourceTotal = eventsLostTotal;
        _totalLost += growth;
        _pending += growth;
        if (_pending > 0 && (_lastLineAt is null || now - _lastLineAt.Value >= minimumSpacing))
        {
            Write(now);
        }
        return growth;
    }

    /// <summary>Writes whatever is held back, regardless of the rate limit (at shutdown).</summary>
    public void Flush(DateTimeOffset now)
    {
        if (_pending > 0)
        {
            Write(now);
        }
    }

    private void Write(DateTimeOffset now)
    {
        output.Write(new EventsLostRecord { Timestamp = now, Source = sourceName, Lost = _pending, TotalLost = _totalLost });
        _pending = 0;
        _lastLineAt = now;
    }
}
