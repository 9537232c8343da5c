namespace NetSentinel.Windows.Etw;

/// <summary>
/// The real-time kernel session <see cref="EtwConnectionSource"/> drives: TraceEvent on Windows
/// (<see cref="TraceEventKernelSession"/>), a fake in the tests, so the session's lifecycle (start
/// failures, a stop from outside, lost events) is tested on Linux.
/// </summary>
internal interface IEtwKernelSession : IDisposable
{
    /// <summary>The machine-wide session name (what `logman query -ets` lists).</summary>
    string Name { get; }

    /// <summary>Starts the session; each TcpIp/UdpIp event reaches <paramref name="onRecord"/> on the thread running <see cref="Process"/>.</summary>
    /// <exception cref="EtwSessionException">It could not start; whatever this call started has been stopped again.</exception>
    void Start(Action<EtwNetworkRecord> onRecord);

    /// <summary>Delivers events until the session stops: by <see cref="IDisposable.Dispose"/>, or from outside.</summary>
    void Process();

    /// <summary>Events the kernel could not deliver to this session (its buffers were full), from the session's own counters.</summary>
    /// <exception cref="EtwSessionException">The session can no longer be queried (it is gone).</exception>
    long EventsLost { get; }
}
