namespace NetSentinel.Linux.Bpf;

/// <summary>
/// Converts bpf_ktime_get_ns (CLOCK_MONOTONIC) to the event stream's wall clock. The offset is taken once from
/// the ledger's <see cref="TimeProvider"/>, whose timestamp is Stopwatch's, which on Linux reads the same clock:
/// one clock for kernel timestamps and the monitor's own "now".
/// </summary>
public sealed class KernelClock
{
    private readonly long _wallTicksAtZero;

    public KernelClock(TimeProvider clock)
    {
        long monoNs = (long)(clock.GetTimestamp() * (1_000_000_000.0 / clock.TimestampFrequency));
        _wallTicksAtZero = clock.GetUtcNow().UtcTicks - (monoNs / 100);
    }

    public DateTimeOffset ToWallClock(ulong monotonicNs) => new(_wallTicksAtZero + (long)(monotonicNs / 100), TimeSpan.Zero);
}
