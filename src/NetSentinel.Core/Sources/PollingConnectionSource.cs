using NetSentinel.Core.Flows;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Sources;

/// <summary>
/// The degraded, unprivileged live source: one snapshot per interval, translated into <see cref="FlowLedger{TKey}"/>
/// calls (keyed by the socket's identity). New outbound sockets open, growth of the kernel's per-socket byte
/// counters (tcp_info) becomes Traffic, and sockets gone from the next snapshot close as inferred.
/// Connections that open and close between two snapshots are never seen: that is why eBPF is preferred.
/// </summary>
public sealed class PollingConnectionSource : IConnectionSource
{
    /// <summary>A socket is gone when one snapshot misses it: the table is read whole, not raced against inserts.</summary>
    private const int MissesBeforeClose = 1;

    private readonly IConnectionSnapshotProvider _snapshots;
    private readonly FlowLedger<ulong> _ledger;
    private readonly List<string> _notes = [];

    public PollingConnectionSource(IConnectionSnapshotProvider snapshots, TimeProvider clock, string? whyNotLive = null)
    {
        _snapshots = snapshots;
        _ledger = new FlowLedger<ulong>(clock, capacity: int.MaxValue); // bounded by the host's socket table
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
        DateTimeOffset now = _ledger.Now;
        _ledger.BeginSweep();
        foreach (ConnectionRecord record in _snapshots.Capture())
        {
            // Sockets of processes we cannot see would all pile up under one unknown owner and
            // trip per-process thresholds together; they are listed by --once but not scored.
            if (record.Direction != Direction.Outbound || record.SocketId == 0 || record.Process.Pid == 0) continue;

            long sent = Math.Max(record.BytesSent, 0);
            long received = Math.Max(record.BytesReceived, 0);
            if (_ledger.TryGet(record.SocketId, out Flow<ulong>? flow))
            {
                if (!_ledger.MarkSeen(flow)) continue; // one socket shared by several processes is counted once
                _ledger.Observe(flow, sent, received, now);
                _ledger.Report(flow, now, sink);
            }
            else
            {
                // Bytes already on the counters when a socket is first seen were sent at an unknown time:
                // they set the reference point and are not counted as this interval's traffic.
                flow = _ledger.Open(record.SocketId, record.SocketId, record.Transport, record.Local, record.Remote, record.Process, now, sink, sent, received);
                if (flow is null) continue;
            }
            // A socket last seen still in SYN_SENT never completed its handshake.
            flow.Established = record.State != "SYN_SENT";
        }
        _ledger.EvictUnseen(MissesBeforeClose, now, sink, failedUnlessEstablished: true);
    }

    public void Dispose() { }
}
