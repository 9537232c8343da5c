namespace NetSentinel.Core.Replay;

/// <summary>Event time: a clock the replay sets to each log line's timestamp, so windows and cooldowns follow the recorded history.</summary>
public sealed class ReplayClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
