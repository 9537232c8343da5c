using NetSentinel.Core.Dns;
using NetSentinel.Core.Model;
using NetSentinel.Core.Sources;

namespace NetSentinel.Windows.Tests;

internal sealed class CollectingSink : IConnectionEventSink
{
    public List<ConnectionEvent> Events { get; } = new();

    public List<DnsEvent> Dns { get; } = new();

    /// <summary>Both kinds in the order they arrived: "dns" or the connection event's kind.</summary>
    public List<string> Order { get; } = new();

    public void OnEvent(ConnectionEvent connectionEvent)
    {
        Events.Add(connectionEvent);
        Order.Add(connectionEvent.Kind.ToString());
    }

    public void OnDns(DnsEvent dnsEvent)
    {
        Dns.Add(dnsEvent);
        Order.Add("dns");
    }

    public List<ConnectionEvent> Take()
    {
        var taken = new List<ConnectionEvent>(Events);
        Events.Clear();
        return taken;
    }
}
