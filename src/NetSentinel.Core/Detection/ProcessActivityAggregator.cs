using NetSentinel.Core.Model;

namespace NetSentinel.Core.Detection;

/// <summary>
/// Sums events per process (keyed by pid) over one interval and tracks which TCP connections are open.
/// Memory is bounded by live activity: a process with nothing open is forgotten at the end of an interval.
/// </summary>
public sealed class ProcessActivityAggregator
{
    private readonly Dictionary<int, ProcessActivity> _byPid = [];
    // ConnectionId -> pid, so a Closed event decrements the process that opened the connection
    // even if the close is attributed differently (or not at all).
    private readonly Dictionary<ulong, int> _openConnections = [];
    // The process of the last event, while tracked: a storm's events are one process's (three lookups by pid a connection).
    private ProcessActivity? _last;

    /// <summary>Processes currently tracked (active this interval or holding a connection).</summary>
    public int Count => _byPid.Count;

    /// <summary>Open outbound TCP connections tracked across all processes.</summary>
    public int OpenConnectionCount => _openConnections.Count;

    public IReadOnlyCollection<ProcessActivity> Processes => _byPid.Values;

    public void Add(ConnectionEvent connectionEvent)
    {
        var activity = Track(connectionEvent.Process);
        switch (connectionEvent.Kind)
        {
            case ConnectionEventKind.Opened:
                // Bytes on Opened are history from before we saw the connection, not this interval's;
                // the source reports interval deltas in Traffic events.
                if (connectionEvent.Transport == Transport.Tcp)
                {
                    activity.Attempts++;
                    Open(connectionEvent.ConnectionId, activity);
                }
                break;
            case ConnectionEventKind.Traffic:
                activity.BytesSent += connectionEvent.BytesSent;
                activity.BytesReceived += connectionEvent.BytesReceived;
                break;
            case ConnectionEventKind.Closed:
                // Closed carries lifetime totals, and the bytes no Traffic event reported: only those are this interval's.
                activity.BytesSent += connectionEvent.UnreportedSent;
                activity.BytesReceived += connectionEvent.UnreportedReceived;
                if (connectionEvent.Transport == Transport.Tcp && connectionEvent.Failed)
                {
                    activity.Failures++;
                }
                Close(connectionEvent.ConnectionId);
                break;
        }
    }

    /// <summary>Starts the next interval and forgets processes that hold nothing open.</summary>
    public void StartInterval()
    {
        List<int>? idle = null;
        foreach (var (pid, activity) in _byPid)
        {
            activity.StartInterval();
            if (activity.OpenConnections == 0)
            {
                (idle ??= []).Add(pid);
            }
        }
        if (idle is not null)
        {
            _last = null;
            foreach (var pid in idle)
            {
                _byPid.Remove(pid);
            }
        }
    }

    private ProcessActivity Track(ProcessInfo process)
    {
        if (_last is { } last && last.Pid == process.Pid)
        {
            last.Process = process;
            return last;
        }
        if (_byPid.TryGetValue(process.Pid, out var activity))
        {
            activity.Process = process;
        }
        else
        {
            activity = new ProcessActivity(process);
            _byPid.Add(process.Pid, activity);
        }
        return _last = activity;
    }

    private void Open(ulong connectionId, ProcessActivity activity)
    {
        // An id opened twice without a close (a missed Closed event, id reuse) counts once.
        if (_openConnections.TryGetValue(connectionId, out var previousPid))
        {
            if (previousPid == activity.Pid)
            {
                return;
            }
            Close(connectionId);
        }
        _openConnections.Add(connectionId, activity.Pid);
        activity.OpenConnections++;
        activity.PeakOpenConnections = Math.Max(activity.PeakOpenConnections, activity.OpenConnections);
    }

    private void Close(ulong connectionId)
    {
        if (_openConnections.Remove(connectionId, out var pid) && (_last is { } last && last.Pid == pid ? last : _byPid.GetValueOrDefault(pid)) is { } owner)
        {
            owner.OpenConnections--;
        }
    }
}
