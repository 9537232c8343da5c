namespace NetSentinel.Core.Sources;

/// <summary>
/// A live source of outbound connection activity (eBPF, polling, ETW).
/// The monitor drives it from one thread: <see cref="Pump"/> in a loop, <see cref="EndInterval"/> once per interval.
/// Sources never call the sink from another thread, so nothing above them needs locks.
/// </summary>
public interface IConnectionSource : IDisposable
{
    /// <summary>Short name for logs and alerts: "ebpf", "poll", "etw".</summary>
    string Name { get; }

    /// <summary>Human-readable lines to print once at start: hooks that are live, why the source is degraded, ...</summary>
    IReadOnlyList<string> StartupNotes { get; }

    /// <summary>
    /// Waits at most <paramref name="maxWait"/> for activity and delivers what arrived
    /// (Opened and Closed events; a Closed event carries the bytes not yet reported, <see cref="Model.ConnectionEvent.UnreportedSent"/>).
    /// </summary>
    void Pump(IConnectionEventSink sink, TimeSpan maxWait);

    /// <summary>Delivers one Traffic event per connection that moved bytes since the last call.</summary>
    void EndInterval(IConnectionEventSink sink);

    /// <summary>Events the source knows it lost since it started (kernel reservation failures, queue drops). Never decreases.</summary>
    long EventsLost { get; }
}
