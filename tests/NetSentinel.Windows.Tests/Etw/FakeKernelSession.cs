using NetSentinel.Windows.Etw;

namespace NetSentinel.Windows.Tests.Etw;

/// <summary>
/// A kernel session the test controls: it can fail to start, deliver records, be "stopped from outside"
/// (Process returns while nobody disposed it), and report a loss counter.
/// </summary>
internal sealed class FakeKernelSession : IEtwKernelSession
{
    private readonly ManualResetEventSlim _stopped = new(false);
    private Action<EtwNetworkRecord>? _onRecord;

    public string Name => "net-sentinel-test";

    public Exception? StartFailure { get; init; }

    public bool Started { get; private set; }

    public bool Disposed { get; private set; }

    public long Lost { get; set; }

    public bool LostUnavailable { get; set; }

    public long EventsLost => LostUnavailable ? throw new EtwSessionException("gone") : Lost;

    public void Start(Action<EtwNetworkRecord> onRecord)
    {
        if (StartFailure is not null) throw StartFailure;
        _onRecord = onRecord;
        Started = true;
    }

    public void Deliver(EtwNetworkRecord record) => _onRecord!(record);

    /// <summary>What logman stop does to a real session: Process returns, nobody called Dispose.</summary>
    public void StopFromOutside() => _stopped.Set();

    public void Process() => _stopped.Wait();

    public void Dispose()
    {
        Disposed = true;
        _stopped.Set();
    }
}
