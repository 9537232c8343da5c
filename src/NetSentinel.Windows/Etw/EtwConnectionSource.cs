using System.Net;
using System.Net.NetworkInformation;
using System.Runtime.Versioning;
using NetSentinel.Core.Sources;
using NetSentinel.Windows.Dns;
using NetSentinel.Windows.Processes;

namespace NetSentinel.Windows.Etw;

/// <summary>
/// The Windows live source: a real-time kernel ETW session with the NetworkTCPIP keyword
/// (<see cref="TraceEventKernelSession"/>). The session delivers events on its own processing thread;
/// they are reduced to plain records there and queued (bounded), then mapped into events on the
/// monitor's thread inside <see cref="Pump"/>. If the session stops while we still want it (stopped
/// from outside with logman, or by another tool reusing its name), <see cref="Pump"/> throws
/// <see cref="EtwSessionException"/>: going blind silently is the one thing a monitor must not do.
/// Domain names come from a second, user-mode session with the DNS-Client provider (<see cref="TraceEventDnsSession"/>):
/// its query events become DNS events for the same name cache and detectors as on Linux. It is optional (a note
/// says why when it does not start), but once running it is held to the same rule: stopped from outside fails Pump.
/// The two sessions deliver independently; within one Pump their records are applied in timestamp order, so an
/// answer delivered a Pump later than the connection it led to leaves that connection unnamed (the next one is named).
/// Needs an elevated token (check <see cref="EtwPrivilege.Check"/> first).
/// </summary>
public sealed class EtwConnectionSource : IConnectionSource
{
    /// <summary>One name for every net-sentinel: a second instance is refused rather than given a session of its own
    /// (kernel sessions are few, and two monitors of one host would only double every alert).</summary>
    public const string SessionName = "net-sentinel-tcpip";
    public const string DnsSessionName = "net-sentinel-dns";
    public const int DefaultQueueCapacity = 65536;
    // Bounds one Pump so the monitor loop keeps its interval under a flood.
    private const int MaxRecordsPerPump = 8192;

    private readonly TimeProvider _clock;
    private readonly EtwRecordQueue<EtwNetworkRecord> _queue;
    private readonly EtwNetworkEventMapper _mapper;
    private readonly IEtwKernelSession _session;
    private readonly Thread _processing;
    private readonly List<EtwNetworkRecord> _batch = new();
    private readonly EtwRecordQueue<EtwDnsRecord> _dnsQueue;
    private readonly EtwDnsEventMapper _dnsMapper;
    private readonly IEtwDnsSession? _dnsSession; // null when it did not start
    private readonly List<EtwDnsRecord> _dnsBatch = new();
    private Thread? _dnsProcessing;
    private long _dnsLost;
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
        : this(clock, new TraceEventKernelSession(SessionName), processes, existingConnections, LocalAddresses(), queueCapacity, new TraceEventDnsSession(DnsSessionName))
    {
    }

    internal EtwConnectionSource(
        TimeProvider clock,
        IEtwKernelSession session,
        IProcessInfoResolver processes,
        IConnectionSnapshotProvider existingConnections,
        Func<IPAddress, bool> isLocalAddress,
        int queueCapacity = DefaultQueueCapacity,
        IEtwDnsSession? dnsSession = null)
    {
        _clock = clock;
        _session = session;
        _queue = new EtwRecordQueue<EtwNetworkRecord>(queueCapacity);
        _mapper = new EtwNetworkEventMapper(processes, isLocalAddress);
        _dnsQueue = new EtwRecordQueue<EtwDnsRecord>(queueCapacity);
        _dnsMapper = new EtwDnsEventMapper(processes);
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
        _processing = new Thread(() => ProcessEvents(_session.Process, $"the kernel ETW session \"{_session.Name}\"")) { IsBackground = true, Name = "etw-tcpip" };
        _processing.Start();
        _dnsSession = StartDnsSession(dnsSession);

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
        if (_dnsSession is not null)
        {
            _notes.Add($"etw: domain names from the DNS-Client session \"{_dnsSession.Name}\" ({EtwDnsProvider.Name} events {string.Join(" and ", EtwDnsProvider.EventIds)}, by process id)");
        }
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
                if (!_disposed && _dnsSession is not null) _dnsLost = Math.Max(_dnsLost, _dnsSession.EventsLost);
            }
            catch (EtwSessionException)
            {
            }
            return _kernelLost + _queue.Dropped + _mapper.UntrackedConnections + _dnsLost + _dnsQueue.Dropped;
        }
    }

    /// <exception cref="EtwSessionException">The session stopped while the monitor still runs.</exception>
    public void Pump(IConnectionEventSink sink, TimeSpan maxWait)
    {
        ThrowIfFailed();
        // DNS records wake this wait too (without being network records); Drain clears the wake-up either way.
        if (!_queue.WaitForRecords(maxWait))
        {
            ThrowIfFailed();
        }
        _batch.Clear();
        _queue.Drain(_batch, MaxRecordsPerPump);
        _dnsBatch.Clear();
        _dnsQueue.Drain(_dnsBatch, MaxRecordsPerPump);
        // Timestamp order across the two sessions, so an answer reaches the name cache before the connection it led to.
        int next = 0, nextDns = 0;
        while (next < _batch.Count || nextDns < _dnsBatch.Count)
        {
            if (nextDns < _dnsBatch.Count && (next == _batch.Count || _dnsBatch[nextDns].Timestamp <= _batch[next].Timestamp))
            {
                if (_dnsMapper.Map(_dnsBatch[nextDns++]) is { } dns) sink.OnDns(dns);
            }
            else
            {
                _mapper.Apply(_batch[next++], sink);
            }
        }
    }

    public void EndInterval(IConnectionEventSink sink) => _mapper.EndInterval(_clock.GetUtcNow(), sink);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _session.Dispose(); // stops the session, which ends Process() on the processing thread
        _dnsSession?.Dispose();
        _processing.Join(TimeSpan.FromSeconds(5));
        _dnsProcessing?.Join(TimeSpan.FromSeconds(5));
        _queue.Dispose();
        _dnsQueue.Dispose();
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure) throw new EtwSessionException(failure);
    }

    /// <summary>Starts the DNS-Client session if there is one; a failure is a note (no names), never the end of monitoring.</summary>
    private IEtwDnsSession? StartDnsSession(IEtwDnsSession? session)
    {
        if (session is null) return null;
        try
        {
            session.Start(record =>
            {
                _dnsQueue.TryEnqueue(record);
                _queue.Wake(); // Pump waits on the network queue
            });
        }
        catch (EtwSessionException error)
        {
            session.Dispose();
            _notes.Add($"etw: no domain names: {error.Message}");
            return null;
        }
        _dnsProcessing = new Thread(() => ProcessEvents(session.Process, $"the DNS-Client ETW session \"{session.Name}\"")) { IsBackground = true, Name = "etw-dns" };
        _dnsProcessing.Start();
        return session;
    }

    /// <summary>Runs one session's Process on its own thread; its end, unless we asked for it, fails the next Pump.</summary>
    private void ProcessEvents(Action process, string which)
    {
        string? failure;
        try
        {
            process();
            failure = $"{which} was stopped from outside (logman stop, or a tool that took its name); no events since";
        }
        catch (Exception error)
        {
            // An exception escaping this thread would kill the process; the monitor learns of it in Pump instead.
            failure = $"{which} stopped: {error.Message}";
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
