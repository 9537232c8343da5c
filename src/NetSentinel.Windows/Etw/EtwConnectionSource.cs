using System.Net;
using System.Net.NetworkInformation;
using System.Runtime.Versioning;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Session;
using NetSentinel.Core.Sources;
using NetSentinel.Windows.Processes;

namespace NetSentinel.Windows.Etw;

/// <summary>
/// The Windows live source: a real-time kernel ETW session with the NetworkTCPIP keyword.
/// TraceEvent delivers events on its own processing thread; they are reduced to plain records there
/// and queued (bounded), then mapped into events on the monitor's thread inside <see cref="Pump"/>.
/// Needs an elevated token (check <see cref="EtwPrivilege.Check"/> first).
/// </summary>
[SupportedOSPlatform("windows")]
public sealed class EtwConnectionSource : IConnectionSource
{
    /// <summary>A named kernel session (Windows 8+) rather than "NT Kernel Logger", so other tracing tools keep theirs.</summary>
    public const string SessionName = "net-sentinel-tcpip";
    public const int DefaultQueueCapacity = 65536;
    // Bounds one Pump so the monitor loop keeps its interval under a flood.
    private const int MaxRecordsPerPump = 8192;

    private readonly TimeProvider _clock;
    private readonly EtwRecordQueue _queue;
    private readonly EtwNetworkEventMapper _mapper;
    private readonly TraceEventSession _session;
    private readonly Thread _processing;
    private readonly List<EtwNetworkRecord> _batch = new();
    private readonly List<string> _notes = new();
    private volatile string? _failure;
    private long _kernelLost;
    private bool _disposed;

    /// <param name="clock">Timestamps of Traffic events (interval ends).</param>
    /// <param name="processes">Pid → name and image path; defaults to <see cref="WindowsProcessInfoResolver"/>.</param>
    /// <param name="existingConnections">Read once at start so connections older than the session are classified
    /// inbound/outbound correctly; defaults to <see cref="IpHelper.IpHelperSnapshotProvider"/>. Pass null-returning
    /// providers only in tests.</param>
    /// <exception cref="EtwSessionException">The session could not start (not elevated, or too many kernel sessions).</exception>
    public EtwConnectionSource(TimeProvider clock, IProcessInfoResolver? processes = null, IConnectionSnapshotProvider? existingConnections = null, int queueCapacity = DefaultQueueCapacity)
    {
        _clock = clock;
        processes ??= new WindowsProcessInfoResolver();
        _queue = new EtwRecordQueue(queueCapacity);
        _mapper = new EtwNetworkEventMapper(processes, LocalAddresses());
        try
        {
            _mapper.Seed((existingConnections ?? new IpHelper.IpHelperSnapshotProvider(processes)).Capture());
        }
        catch (Exception error) when (error is IpHelper.IpHelperTableFormatException or System.ComponentModel.Win32Exception)
        {
            _notes.Add($"etw: could not read existing connections ({error.Message}); traffic of connections older than the session counts as outbound");
        }

        try
        {
            _session = new TraceEventSession(SessionName) { StopOnDispose = true, BufferSizeMB = 64 };
            _session.EnableKernelProvider(KernelTraceEventParser.Keywords.NetworkTCPIP);
        }
        catch (Exception error) when (error is UnauthorizedAccessException or System.Runtime.InteropServices.COMException or InvalidOperationException or NotSupportedException)
        {
            throw new EtwSessionException(error is UnauthorizedAccessException ? EtwPrivilege.MissingMessage : $"cannot start the kernel ETW session: {error.Message}", error);
        }

        Subscribe(_session.Source.Kernel);
        _notes.Add($"source: etw (kernel session \"{SessionName}\", TcpIp and UdpIp events, IPv4 and IPv6)");
        _notes.Add("etw: failed TCP connects are inferred from SYN retries (TcpIp/Reconnect) that never complete; the kernel's TcpIp/Fail event names no connection");
        _processing = new Thread(ProcessEvents) { IsBackground = true, Name = "etw-tcpip" };
        _processing.Start();
    }

    public string Name => "etw";

    public IReadOnlyList<string> StartupNotes => _notes;

    public long EventsLost
    {
        get
        {
            // Kernel-side loss (session buffers) plus delivery loss (real-time consumer) plus our queue drops.
            // Queried counters can reset with the session; keep the reported figure monotonic.
            long kernel = 0;
            try
            {
                if (!_disposed) kernel = (long)_session.EventsLost + _session.Source.EventsLost;
            }
            catch (Exception error) when (error is System.Runtime.InteropServices.COMException or InvalidOperationException)
            {
                kernel = 0; // the session is gone; the last figure stands
            }
            _kernelLost = Math.Max(_kernelLost, kernel);
            return _kernelLost + _queue.Dropped + _mapper.UntrackedConnections;
        }
    }

    public void Pump(IConnectionEventSink sink, TimeSpan maxWait)
    {
        if (_failure is { } failure) throw new EtwSessionException(failure);
        if (!_queue.WaitForRecords(maxWait)) return;
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

    private void Subscribe(KernelTraceEventParser kernel)
    {
        // Typed subscriptions are keyed by task and opcode inside TraceEvent; the opcode also picks the meaning in EtwOpcodeClassifier.
        kernel.TcpIpConnect += data => Enqueue(EtwRecordReader.From(data));
        kernel.TcpIpConnectIPV6 += data => Enqueue(EtwRecordReader.From(data));
        kernel.TcpIpAccept += data => Enqueue(EtwRecordReader.From(data));
        kernel.TcpIpAcceptIPV6 += data => Enqueue(EtwRecordReader.From(data));
        kernel.TcpIpSend += data => Enqueue(EtwRecordReader.From(data));
        kernel.TcpIpSendIPV6 += data => Enqueue(EtwRecordReader.From(data));
        kernel.TcpIpRecv += data => Enqueue(EtwRecordReader.From(data));
        kernel.TcpIpRecvIPV6 += data => Enqueue(EtwRecordReader.From(data));
        kernel.TcpIpDisconnect += data => Enqueue(EtwRecordReader.From(data));
        kernel.TcpIpDisconnectIPV6 += data => Enqueue(EtwRecordReader.From(data));
        kernel.TcpIpReconnect += data => Enqueue(EtwRecordReader.From(data));
        kernel.TcpIpReconnectIPV6 += data => Enqueue(EtwRecordReader.From(data));
        kernel.UdpIpSend += data => Enqueue(EtwRecordReader.From(data));
        kernel.UdpIpSendIPV6 += data => Enqueue(EtwRecordReader.From(data));
        kernel.UdpIpRecv += data => Enqueue(EtwRecordReader.From(data));
        kernel.UdpIpRecvIPV6 += data => Enqueue(EtwRecordReader.From(data));
    }

    private void Enqueue(EtwNetworkRecord record) => _queue.TryEnqueue(record);

    private void ProcessEvents()
    {
        try
        {
            _session.Source.Process();
        }
        catch (Exception error)
        {
            // An exception escaping this thread would kill the process; the monitor learns of it in Pump instead.
            if (!_disposed) _failure = $"the kernel ETW session stopped: {error.Message}";
        }
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
