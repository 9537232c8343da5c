namespace NetSentinel.Core.Configuration;

/// <summary>Bounds shared by a key in the file and the flag that overrides it, so both are checked by one rule.</summary>
public static class ConfigLimits
{
    /// <summary>The monitor pumps its source every 50 ms at most; a shorter interval cannot be kept and only burns CPU.</summary>
    public const double MinIntervalSeconds = 0.05;

    /// <summary>One day: longer intervals make rates meaningless and keep TimeSpan arithmetic far from overflow.</summary>
    public const double MaxIntervalSeconds = 86_400;

    /// <summary>--duration: ten years is "forever" for a monitor, and keeps the deadline a valid date.</summary>
    public const double MaxDurationSeconds = 315_360_000;
}
