using NetSentinel.Windows.Dns;
using NetSentinel.Windows.Etw;

namespace NetSentinel.Windows.Tests.Dns;

/// <summary>
/// A DNS-Client session the test drives: its records go through the same reader the TraceEvent session uses
/// (<see cref="EtwDnsRecordReader"/> over the payload bytes), so a test delivers payloads, not records.
/// </summary>
internal sealed class FakeDnsSession : IEtwDnsSession
{
    private readonly ManualResetEventSlim _stopped = new(false);
    private Action<EtwDnsRecord>? _onRecord;

    public string Name => "net-sentinel-dns-test";

    public Exception? StartFailure { get; init; }

    public bool Disposed { get; private set; }

    public long Lost { get; set; }

    public long EventsLost => Lost;

    public void Start(Action<EtwDnsRecord> onRecord)
    {
        if (StartFailure is not null) throw StartFailure;
        _onRecord = onRecord;
    }

    /// <summary>What the session's callback does with one decoded event.</summary>
    public void Deliver(int eventId, byte[] payload, DateTimeOffset at, int pid = 4321)
    {
        if (EtwDnsRecordReader.Read(EtwDnsProvider.Id, eventId, pid, payload, at) is { } record) _onRecord!(record);
    }

    public void StopFromOutside() => _stopped.Set();

    public void Process() => _stopped.Wait();

    public void Dispose()
    {
        Disposed = true;
        _stopped.Set();
    }
}
