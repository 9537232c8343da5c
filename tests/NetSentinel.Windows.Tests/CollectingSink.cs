using NetSentinel.Core.Model;
using NetSentinel.Core.Sources;

namespace NetSentinel.Windows.Tests;

internal sealed class CollectingSink : IConnectionEventSink
{
    public List<ConnectionEvent> Events { get; } = new();

    public void OnEvent(ConnectionEvent connectionEvent) => Events.Add(connectionEvent);

    public List<ConnectionEvent> Take()
    {
        var taken = new List<ConnectionEvent>(Events);
        Events.Clear();
        return taken;
    }
}
