using System.Net;
using System.Net.Sockets;
using NetSentinel.Linux.Bpf;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>The ring buffer's fill, for the metrics endpoint: it grows while nobody drains and falls when the source drains.</summary>
[Collection(BpfTestCollection.Name)]
public class RingBufferFillTests
{
    [RootFact]
    public void TheBacklogGrowsWhileUndrainedAndFallsWhenDrained()
    {
        const int Connections = 200;
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        var target = (IPEndPoint)listener.LocalEndPoint!;
        using var source = BpfConnectionSource.Start();
        var (_, capacity) = source.Backlog!.Value;
        Assert.Equal(4 * 1024 * 1024, capacity); // ns_events' max_entries

        var recorder = new EventRecorder();
        source.Pump(recorder, TimeSpan.Zero);
        long before = source.Backlog!.Value.Queued;
        for (int i = 0; i < Connections; i++)
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(target);
            listener.Accept().Dispose();
        }
        // Nothing drained since: at least an open and a close record (≥ 64 bytes each with its header) per connection.
        long undrained = source.Backlog!.Value.Queued;
        Assert.True(undrained - before >= Connections * 2 * 64, $"{undrained - before} bytes queued after {Connections} connections");

        source.Pump(recorder, TimeSpan.Zero);
        long drained = source.Backlog!.Value.Queued;
        Assert.True(drained < undrained, $"still {drained} bytes queued after a drain (was {undrained})");
        Assert.InRange(drained, 0, capacity);
    }
}
