using System.Diagnostics;
using NetSentinel.Core.Model;
using NetSentinel.Core.Sources;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>A sink that keeps every event, and a bounded pump loop to drive a source until a condition holds.</summary>
internal sealed class EventRecorder : IConnectionEventSink
{
    public List<ConnectionEvent> Events { get; } = [];

    public void OnEvent(ConnectionEvent connectionEvent) => Events.Add(connectionEvent);

    public List<NetSentinel.Core.Dns.DnsEvent> DnsEvents { get; } = [];

    public void OnDns(NetSentinel.Core.Dns.DnsEvent dnsEvent) => DnsEvents.Add(dnsEvent);

    public List<(int Pid, DateTimeOffset ExitedAt)> Ended { get; } = [];

    public void OnProcessEnded(int pid, DateTimeOffset exitedAt) => Ended.Add((pid, exitedAt));

    /// <summary>Pumps (and ends an interval every 100 ms) until <paramref name="done"/> or the timeout; returns done's last value.</summary>
    public bool PumpUntil(IConnectionSource source, Func<bool> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var sinceInterval = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            source.Pump(this, TimeSpan.FromMilliseconds(20));
            if (sinceInterval.ElapsedMilliseconds >= 100)
            {
                source.EndInterval(this);
                sinceInterval.Restart();
            }
            if (done()) return true;
        }
        source.EndInterval(this);
        return done();
    }
}
