using System.Runtime.Versioning;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Session;
using NetSentinel.Windows.Etw;

namespace NetSentinel.Windows.Dns;

/// <summary>
/// A named real-time user-mode session with Microsoft-Windows-DNS-Client enabled (<see cref="EtwDnsProvider"/>),
/// beside the kernel session rather than inside it: a kernel session that also takes user-mode providers exists
/// only as a Windows 8+ system-logger mode, and a failure here must cost the names, not the connections.
/// Events are reduced to records on this session's thread by <see cref="EtwDnsRecordReader"/>. Like the kernel session, it never takes over a session of the same name.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class TraceEventDnsSession(string name) : IEtwDnsSession
{
    private const string Kind = "DNS-Client";
    private TraceEventSession? _session;

    public string Name { get; } = name;

    public long EventsLost
    {
        get
        {
            var session = _session ?? throw new EtwSessionException("the DNS-Client ETW session is not running");
            try
            {
                return session.EventsLost;
            }
            catch (Exception error) when (error is System.Runtime.InteropServices.COMException or InvalidOperationException or ObjectDisposedException)
            {
                throw new EtwSessionException($"the DNS-Client ETW session can no longer be queried: {error.Message}", error);
            }
        }
    }

    public void Start(Action<EtwDnsRecord> onRecord)
    {
        if (EtwActiveSessions.IsRunning(Name)) throw new EtwSessionException(EtwStartFailure.AlreadyRunningMessage(Name, Kind));
        var session = new TraceEventSession(Name, TraceEventSessionOptions.Create | TraceEventSessionOptions.NoRestartOnCreate)
        {
            StopOnDispose = true,
            BufferSizeMB = 4, // two events per lookup: small next to the kernel session's 64 MB
        };
        try
        {
            // Subscribe before enabling, so the first query after the provider is on is not missed. The payload is read
            // by its template here (EtwDnsRecordReader) rather than through TraceEvent's manifest parser, which the
            // trimmed executable cannot carry (it reflects).
            session.Source.AllEvents += data =>
            {
                if (Read(data) is { } record) onRecord(record);
            };
            session.EnableProvider(
                EtwDnsProvider.Id,
                (TraceEventLevel)EtwDnsProvider.Level,
                EtwDnsProvider.MatchAnyKeywords,
                new TraceEventProviderOptions { EventIDsToEnable = [.. EtwDnsProvider.EventIds] });
        }
        catch (Exception error) when (error is UnauthorizedAccessException or System.Runtime.InteropServices.COMException or InvalidOperationException or NotSupportedException)
        {
            session.StopOnDispose = !EtwStartFailure.IsAlreadyRunning(error);
            session.Dispose();
            throw EtwStartFailure.Explain(error, Name, Kind);
        }
        _session = session;
    }

    private static unsafe EtwDnsRecord? Read(TraceEvent data) => EtwDnsRecordReader.Read(
        data.ProviderGuid,
        (int)data.ID,
        data.ProcessID,
        new ReadOnlySpan<byte>((void*)data.DataStart, data.EventDataLength),
        new DateTimeOffset(data.TimeStamp.ToUniversalTime(), TimeSpan.Zero));

    public void Process() => (_session ?? throw new InvalidOperationException("Start the session first")).Source.Process();

    public void Dispose() => _session?.Dispose();
}
