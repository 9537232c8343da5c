using NetSentinel.Core.Model;

namespace NetSentinel.Core.Sources;

/// <summary>
/// The degraded, unprivileged live source: one snapshot per interval, turned into events by
/// comparing it with the previous one. New outbound sockets become Opened, vanished ones Closed,
/// and growth of the kernel's per-socket byte counters (tcp_info) becomes Traffic.
/// Connections that open and close between two snapshots are never seen: that is why eBPF is preferred.
/// </summary>
public sealed class PollingConnectionSource : IConnectionSource
{
    private readonly IConnectionSnapshotProvider _snapshots;
    private readonly TimeProvider _clock;
    private readonly Dictionary<ulong, TrackedSocket> _tracked = new();
    private readonly List<string> _notes = new();

    public PollingConnectionSource(IConnectionSnapshotProvider snapshots, TimeProvider clock, string? whyNotLive = null)
    {
        _snapshots = snapshots;
        _clock = clock;
        string why = whyNotLive is null ? "" : $" ({whyNotLive})";
        _notes.Add($"source: polling{why}; connections shorter than one interval are not seen");
    }

    public string Name => "poll";

    public IReadOnlyList<string> StartupNotes
    {
        get
        {
            // The provider learns whether it can see every process only once it has looked.
            var notes = new List<string>(_notes);
            if (_snapshots.DegradedReason is { } degraded) notes.Add($"attribution is partial: {degraded}");
            return notes;
        }
    }

    public long EventsLost => 0;

    /// <summary>Polling has nothing to deliver between snapshots; it only waits.</summary>
    public void Pump(IConnectionEventSink sink, TimeSpan maxWait)
    {
        if (maxWait > TimeSpan.Zero) Thread.Sleep(maxWait);
    }

    public void EndInterval(IConnectionEventSink sink)
    {
        var now = _clock.GetUtcNow();
        var seen = new HashSet<ulong>();
        foreach (var record in _snapshots.Capture())
        {
            // Sockets of processes we cannot see would all pile up under one unknown owner and
            // trip per-process thresholds together; they are listed by --once but not scored.
            if (record.Direction != Direction.Outbound || record.SocketId == 0 || record.Process.Pid == 0) continue;
            if (!seen.Add(record.SocketId)) continue; // one socket shared by several processes is counted once

            long sent = Math.Max(record.BytesSent, 0);
            long received = Math.Max(record.BytesReceived, 0);
            if (_tracked.TryGetValue(record.SocketId, out var tracked))
            {
                long sentDelta = sent - tracked.ReportedSent;
                long receivedDelta = received - tracked.ReportedReceived;
                if (sentDelta > 0 || receivedDelta > 0)
                    sink.OnEvent(record.ToEvent(ConnectionEventKind.Traffic, now, Math.Max(sentDelta, 0), Math.Max(receivedDelta, 0)));
                _tracked[record.SocketId] = tracked with { Latest = record, ReportedSent = sent, ReportedReceived = received };
            }
            else
            {
                // Bytes already on the counters when we first see a socket were sent at an unknown time:
                // they set the reference point and are not counted as this interval's traffic.
                sink.OnEvent(record.ToEvent(ConnectionEventKind.Opened, now));
                _tracked[record.SocketId] = new TrackedSocket(record, now, sent, received);
            }
        }

        foreach (var (id, tracked) in _tracked.Where(pair => !seen.Contains(pair.Key)).ToList())
        {
            _tracked.Remove(id);
            sink.OnEvent(tracked.Latest.ToEvent(ConnectionEventKind.Closed, now, tracked.ReportedSent, tracked.ReportedReceived) with
            {
                Duration = now - tracked.FirstSeen,
                // A socket last seen still in SYN_SENT never completed its handshake.
                Failed = tracked.Latest.State == "SYN_SENT",
            });
        }
    }

    public void Dispose() { }

    private sealed record TrackedSocket(ConnectionRecord Latest, DateTimeOffset FirstSeen, long ReportedSent, long ReportedReceived);
}
