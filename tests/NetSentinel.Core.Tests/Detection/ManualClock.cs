namespace NetSentinel.Core.Tests.Detection;

/// <summary>A clock that moves only when the test says so.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public ManualClock() : this(Start)
    {
    }

    public DateTimeOffset Now { get; private set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public DateTimeOffset Advance(TimeSpan by) => Now += by;

    public DateTimeOffset AdvanceSeconds(double seconds) => Advance(TimeSpan.FromSeconds(seconds));
}
