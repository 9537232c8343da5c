using System.Diagnostics;

namespace NetSentinel.Core.Output.Syslog;

/// <summary>
/// When to try a lost connection again: at once the first time, then after 0.5 s, 1 s, 2 s … at most
/// <see cref="Longest"/> apart, and at once again after a success. Between tries the output fails fast
/// (its lines are counted as lost) instead of waiting on a peer that is not there.
/// </summary>
public sealed class ReconnectBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(30);

    private readonly Func<long> _now;
    private TimeSpan _next = TimeSpan.Zero;
    private long _notBefore;

    /// <param name="now">Stopwatch ticks (tests pass their own clock).</param>
    public ReconnectBackoff(Func<long>? now = null) => _now = now ?? Stopwatch.GetTimestamp;

    /// <summary>True when a try is due now.</summary>
    public bool MayTry => _now() >= _notBefore;

    /// <summary>How long until the next try (zero when due).</summary>
    public TimeSpan Remaining => TimeSpan.FromSeconds(Math.Max(0, _notBefore - _now()) / (double)Stopwatch.Frequency);

    public void Failed()
    {
        _next = _next == TimeSpan.Zero ? First : TimeSpan.FromTicks(Math.Min(Longest.Ticks, _next.Ticks * 2));
        _notBefore = _now() + (long)(_next.TotalSeconds * Stopwatch.Frequency);
    }

    public void Succeeded()
    {
        _next = TimeSpan.Zero;
        _notBefore = 0;
    }
}
