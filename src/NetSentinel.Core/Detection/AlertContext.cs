namespace NetSentinel.Core.Detection;

/// <summary>The facts every alert carries that no single detector owns.</summary>
/// <param name="EventsLostInWindow">
/// For interval hooks, events the source lost during that interval. For event hooks (whose window is the whole
/// observation so far), all events lost since the monitor started, as of the last interval end.
/// </param>
public readonly record struct AlertContext(
    string Source,
    DateTimeOffset Now,
    long EventsLostInWindow,
    BaselineProgress Baseline);
