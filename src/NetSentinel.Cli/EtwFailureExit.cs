using NetSentinel.Core.Sources;
using NetSentinel.Windows.Etw;

namespace NetSentinel.Cli;

/// <summary>
/// The ETW source as the monitor sees it: a session that stops under us (logman stop, a tool taking its
/// name) ends the run with exit 3 and the source's one-line reason, like a session that never started.
/// </summary>
public sealed class EtwFailureExit(IConnectionSource etw) : IConnectionSource
{
    public string Name => etw.Name;

    public IReadOnlyList<string> StartupNotes => etw.StartupNotes;

    public long EventsLost => etw.EventsLost;

    public void Pump(IConnectionEventSink sink, TimeSpan maxWait)
    {
        try
        {
            etw.Pump(sink, maxWait);
        }
        catch (EtwSessionException failure)
        {
            throw CliFailure.Runtime(failure.Message);
        }
    }

    public void EndInterval(IConnectionEventSink sink) => etw.EndInterval(sink);

    public void Dispose() => etw.Dispose();
}
