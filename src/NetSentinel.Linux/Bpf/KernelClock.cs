using System.Diagnostics;

namespace NetSentinel.Linux.Bpf;

/// <summary>
/// Converts bpf_ktime_get_ns (CLOCK_MONOTONIC) to wall-clock time. On Linux Stopwatch reads the same clock
/// in nanoseconds, so one offset taken at start converts every kernel timestamp.
/// </summary>
internal sealed class KernelClock
{
    private readonly long _wallTicksAtZero;

    public KernelClock()
    {
        long monoNs = (long)(Stopwatch.GetTimestamp() * (1_000_000_000.0 / Stopwatch.Frequency));
        _wallTicksAtZero = DateTimeOffset.UtcNow.UtcTicks - (monoNs / 100);
    }

    public DateTimeOffset ToWallClock(ulong monotonicNs) => new(_wallTicksAtZero + (long)(monotonicNs / 100), TimeSpan.Zero);
}
