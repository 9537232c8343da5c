using NetSentinel.Core.Dns;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Sources;

/// <summary>Where a source delivers its events. Called on the monitor's thread only (inside Pump or EndInterval).</summary>
public interface IConnectionEventSink
{
    void OnEvent(ConnectionEvent connectionEvent);

    /// <summary>
    /// True when the sink holds no reference to an event once <see cref="OnEvent"/> returns (what it keeps, it copies):
    /// the source may then hand it one event object rewritten for every event, which spares a connect storm two or three
    /// allocations per connection. False, the default, for a sink that may keep the events it is given.
    /// </summary>
    bool KeepsNoEvent => false;

    /// <summary>A DNS query or answer the source saw (sources without DNS capture never call it).</summary>
    void OnDns(DnsEvent dnsEvent)
    {
    }

    /// <summary>
    /// A process has exited and every record of it is in (the eBPF source says so a second after its exit): state
    /// kept per process for a window (scan's targets) can go. Sources that do not see exits never call it.
    /// </summary>
    void OnProcessEnded(int pid, DateTimeOffset exitedAt)
    {
    }
}
