namespace NetSentinel.Windows.Dns;

/// <summary>
/// The real-time user-mode session beside the kernel one that carries the DNS-Client provider
/// (<see cref="TraceEventDnsSession"/> on Windows, a fake in the tests), with the kernel session's lifecycle.
/// </summary>
internal interface IEtwDnsSession : IDisposable
{
    /// <summary>The machine-wide session name (what `logman query -ets` lists).</summary>
    string Name { get; }

    /// <summary>Starts the session with <see cref="EtwDnsProvider"/> enabled; each query event reaches
    /// <paramref name="onRecord"/> on the thread running <see cref="Process"/>.</summary>
    /// <exception cref="Etw.EtwSessionException">It could not start; whatever this call started has been stopped again.</exception>
    void Start(Action<EtwDnsRecord> onRecord);

    /// <summary>Delivers events until the session stops: by <see cref="IDisposable.Dispose"/>, or from outside.</summary>
    void Process();

    /// <summary>Events the session's buffers could not take.</summary>
    /// <exception cref="Etw.EtwSessionException">The session can no longer be queried (it is gone).</exception>
    long EventsLost { get; }
}
