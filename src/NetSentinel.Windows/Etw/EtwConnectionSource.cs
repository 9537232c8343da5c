using System.Net;
using System.Net.NetworkInformation;
using System.Runtime.Versioning;
using NetSentinel.Core.Sources;
using NetSentinel.Windows.Processes;

namespace NetSentinel.Windows.Etw;

/// <summary>
/// The Windows live source: a real-time kernel ETW session with the NetworkTCPIP keyword
/// (<see cref="TraceEventKernelSession"/>). The session delivers events on its own processing thread;
/// they are reduced to plain records there and queued (bounded), then mapped into events on the
/// monitor's thread inside <see cref="Pump"/>. If the session stops while we still want it (stopped
/// from outside with logman, or by another tool reusing its name), <see cref="Pump"/> throws
/// <see cref="EtwSessionException"/>: going blind silently is the one thing a monitor must not do.
/// Needs an elevated token (check <see cref="EtwPrivilege.Check"/> first).
/// </summary>
public sealed class EtwConnectionSource : IConnectionSource
{
    /// <summary>One name for every net-sentinel: a second instance is refused rather than given a session of its own
    /// (kernel sessions are few, and two monitors of one host would only double every alert).</summary>
    public const string SessionName = "net-sentinel-tcpip";
    public const int DefaultQueueCapacity = 65536;
    // Bounds one Pump so the monitor loop keeps its interval under a flood.
    private const int MaxRecordsPerPump = 8192;

    private readonly TimeProvider _clock;
    private readonly EtwRecordQueue _queue;
    private readonly EtwNetworkEventMapper _mapper;
    private readonly IEtwKernelSession _session;
    private readonly Thread _processing;
    private readonly List<EtwNetworkRecord> _batch = new();
    private readonly List<string> _notes = new();
    private volatile string? _failure;
    private long _kernelLost;
    private volatile bool _disposed;

    /// <param name="clock">Timestamps of Traffic events (interval ends).</param>
    /// <param name="processes">Pid → name and image path.</param>
    /// <param name="existingConnections">Read once, just after the session starts, so connections older than the
    /// session are classified inbound/outbound correctly (the IP Helper snapshot).</param>
    /// <exception cref="EtwSessionException">The session could not start (not elevated, already running, or too many kernel sessions).</exception>
    [SupportedOSPlatform("windows")]
    public EtwConnectionSource(TimeProvider clock, IProcessInfoResolver processes, IConnectionSnapshotProvider existingConnections, int queueCapacity = DefaultQueueCapacity)
        : this(clock, new TraceEventKernelSession(SessionName), processes, existingConnections, LocalAddresses(), queueCapacity)
    {
    }

    internal EtwConnectionSource(
        TimeProvider clock,
        IEtwKernelSession session,
        IProcessInfoResolver processes,
        IConnectionSnapshotProvider existingConnections,
        Func<IPAddress, bool> isLocalAddress,
        int queueCapacity = DefaultQueueCapacity)
    {
        _clock = clock;
        _session = session;
        _queue = new EtwRecordQueue(queueCapacity);
        _mapper = new EtwNetworkEventMapper(processes, isLocalAddress);
        try
        {
            _session.Start(record => _queue.TryEnqueue(record));
        }
        catch
        {
            _session.Dispose(); // a failed start must not leave a kernel session (64 MB of buffers) behind us
            _queue.Dispose();
            throw;
        }
        _processing = new Thread(ProcessEvents) { IsBackground = true, Name = "etw-tcpip" };
        _processing.Start();

        // The snapshot comes after the session is live, so a connection opened in between is seen by both rather
        // than by neither; the records it produced wait in the queue until Pump, after seeding.
        try
        {
            _mapper.Seed(existingConnections.Capture());
        }
        catch (Exception error) when (error is IpHelper.IpHelperTableFormatException or System.ComponentModel.Win32Exception)
        {
            _notes.Add($"etw: could not read existing connections ({error.Message}); traffic of connections older than the session counts as outbound");
        }
        catch
        {
            Dispose(); // the session is running: stop it before giving up
            throw;
        }

        _notes.Add($"source: etw (kernel session \"{_session.Name}\", TcpIp and UdpIp events, IPv4 and IPv6)");
        _notes.Add("etw: failed TCP connects are inferred from SYN retries (TcpIp/Reconnect) that never complete; the kernel's TcpIp/Fail event names no connection");
    }

    public string Name => "etw";

    public IReadOnlyList<string> StartupNotes => _notes;

    public long EventsLost
    {
        get
        {
            // Kernel-side loss (the session's own counter) plus our queue drops plus connections not tracked (table full).
            // A session that is gone cannot be asked: the last figure stands, so the total never decreases.
            try
            {
                if (!_disposed) _kernelLost = Math.Max(_kernelLost, _session.EventsLost);
            }
            catch (EtwSessionException)
            {
            }
            return _kernelLost + _queue.Dropped + _mapper.UntrackedConnections;
        }
    }

    /// <exception cref="EtwSessionException">The session stopped while the monitor still runs.</exception>
    public void Pump(IConnectionEventSink sink, TimeSpan maxWait)
    {
        ThrowIfFailed();
        if (!_queue.WaitForRecords(maxWait))
        {
            ThrowIfFailed();
            return;
        }
        _batch.Clear();
        _queue.Drain(_batch, MaxRecordsPerPump);
        foreach (var record in _batch) _mapper.Apply(record, sink);
    }

    public void EndInterval(IConnectionEventSink sink) => _mapper.EndInterval(_clock.GetUtcNow(), sink);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _session.Dispose(); // stops the session, which ends Process() on the processing thread
        _processing.Join(TimeSpan.FromSeconds(5));
        _queue.Dispose();
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure) throw new EtwSessionException(failure);
    }

    private void ProcessEvents()
    {
        string? failure;
        try
        {
            _session.Process();
            failure = $"the kernel ETW session \"{_session.Name}\" was stopped from outside (logman stop, or a tool that took its name); no events since";
        }
        catch (Exception error)
        {
            // An exception escaping this thread would kill the process; the monitor learns of it in Pump instead.
            failure = $"the kernel ETW session stopped: {error.Message}";
        }
        if (_disposed) return; // we stopped it ourselves
        _failure = failure;
        _queue.Wake(); // a Pump waiting for records learns now, not at its timeout
    }

    /// <summary>This host's addresses, refreshed at most every few seconds (interfaces come and go).</summary>
    private static Func<IPAddress, bool> LocalAddresses()
    {
        HashSet<IPAddress> known = new();
        long refreshedAt = long.MinValue;
        return address =>
        {
            if (IPAddress.IsLoopback(address)) return true;
            long now = Environment.TickCount64;
            if (now - refreshedAt > 5000)
            {
                refreshedAt = now;
                known = NetworkInterface.GetAllNetworkInterfaces()
                    .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
                    .Select(unicast => unicast.Address)
                    .ToHashSet();
            }
            return known.Contains(address);
        };
    }
}
