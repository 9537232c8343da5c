using System.Runtime.Versioning;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Session;

namespace NetSentinel.Windows.Etw;

/// <summary>
/// A named real-time kernel session (Windows 8+, so other tracing tools keep "NT Kernel Logger") with
/// the NetworkTCPIP keyword, through TraceEvent. It never takes over a session of the same name: TraceEvent
/// would by default stop and recreate it, silently blinding the net-sentinel that owns it.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class TraceEventKernelSession(string name) : IEtwKernelSession
{
    private TraceEventSession? _session;

    public string Name { get; } = name;

    public long EventsLost
    {
        get
        {
            var session = _session ?? throw new EtwSessionException("the kernel ETW session is not running");
            try
            {
                // Queried from the session itself (ControlTrace), current for real-time sessions; the
                // consumer-side Source.EventsLost is a snapshot that is not updated for them.
                return session.EventsLost;
            }
            catch (Exception error) when (error is System.Runtime.InteropServices.COMException or InvalidOperationException or ObjectDisposedException)
            {
                throw new EtwSessionException($"the kernel ETW session can no longer be queried: {error.Message}", error);
            }
        }
    }

    public void Start(Action<EtwNetworkRecord> onRecord)
    {
        if (EtwActiveSessions.IsRunning(Name)) throw new EtwSessionException(EtwStartFailure.AlreadyRunningMessage(Name));
        var session = new TraceEventSession(Name, TraceEventSessionOptions.Create | TraceEventSessionOptions.NoRestartOnCreate)
        {
            StopOnDispose = true,
            BufferSizeMB = 64,
        };
        try
        {
            // TraceEvent starts the session before the calls that can still fail (Wine fails there):
            // whatever happens next, the session must not outlive this call unless it is ours and working.
            session.EnableKernelProvider(KernelTraceEventParser.Keywords.NetworkTCPIP);
            Subscribe(session.Source.Kernel, onRecord);
        }
        catch (Exception error) when (error is UnauthorizedAccessException or System.Runtime.InteropServices.COMException or InvalidOperationException or NotSupportedException)
        {
            // A session that already existed is someone else's: leave it running.
            session.StopOnDispose = !EtwStartFailure.IsAlreadyRunning(error);
            session.Dispose();
            throw EtwStartFailure.Explain(error, Name);
        }
        _session = session;
    }

    public void Process() => (_session ?? throw new InvalidOperationException("Start the session first")).Source.Process();

    public void Dispose() => _session?.Dispose(); // stops the session, which ends Process() on its thread

    private static void Subscribe(KernelTraceEventParser kernel, Action<EtwNetworkRecord> onRecord)
    {
        // Typed subscriptions are keyed by task and opcode inside TraceEvent; the opcode also picks the meaning in EtwOpcodeClassifier.
        kernel.TcpIpConnect += data => onRecord(EtwRecordReader.From(data));
        kernel.TcpIpConnectIPV6 += data => onRecord(EtwRecordReader.From(data));
        kernel.TcpIpAccept += data => onRecord(EtwRecordReader.From(data));
        kernel.TcpIpAcceptIPV6 += data => onRecord(EtwRecordReader.From(data));
        kernel.TcpIpSend += data => onRecord(EtwRecordReader.From(data));
        kernel.TcpIpSendIPV6 += data => onRecord(EtwRecordReader.From(data));
        kernel.TcpIpRecv += data => onRecord(EtwRecordReader.From(data));
        kernel.TcpIpRecvIPV6 += data => onRecord(EtwRecordReader.From(data));
        kernel.TcpIpDisconnect += data => onRecord(EtwRecordReader.From(data));
        kernel.TcpIpDisconnectIPV6 += data => onRecord(EtwRecordReader.From(data));
        kernel.TcpIpReconnect += data => onRecord(EtwRecordReader.From(data));
        kernel.TcpIpReconnectIPV6 += data => onRecord(EtwRecordReader.From(data));
        kernel.UdpIpSend += data => onRecord(EtwRecordReader.From(data));
        kernel.UdpIpSendIPV6 += data => onRecord(EtwRecordReader.From(data));
        kernel.UdpIpRecv += data => onRecord(EtwRecordReader.From(data));
        kernel.UdpIpRecvIPV6 += data => onRecord(EtwRecordReader.From(data));
    }
}
