using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Core.Sources;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Core.Tests.Sources;

public class PollingConnectionSourceTests
{
    private static readonly ProcessInfo Curl = new() { Pid = 42, Name = "curl", Executable = "/usr/bin/curl", IdentifiedBy = AttributionSource.Proc };

    [Fact]
    public void FirstSnapshotOpensWithoutCountingBytesAlreadySent()
    {
        var snapshots = new ScriptedSnapshots([Outbound(1, sent: 5000, received: 100)]);
        var events = Collect(new PollingConnectionSource(snapshots, TimeProvider.System), 1);

        var opened = Assert.Single(events);
        Assert.Equal(ConnectionEventKind.Opened, opened.Kind);
        Assert.Equal(1UL, opened.ConnectionId);
        Assert.Equal(0, opened.BytesSent);
        Assert.Same(Curl, opened.Process);
    }

    [Fact]
    public void CounterGrowthBecomesTrafficDeltas()
    {
        var snapshots = new ScriptedSnapshots(
            [Outbound(1, sent: 5000, received: 100)],
            [Outbound(1, sent: 12000, received: 100)],
            [Outbound(1, sent: 12000, received: 100)]);
        var source = new PollingConnectionSource(snapshots, TimeProvider.System);

        Collect(source, 1);
        var second = Assert.Single(Collect(source, 1));
        Assert.Equal((ConnectionEventKind.Traffic, 7000L, 0L), (second.Kind, second.BytesSent, second.BytesReceived));
        Assert.Empty(Collect(source, 1)); // no growth, no event
    }

    [Fact]
    public void VanishedSocketClosesWithTotalsAndSynSentMeansFailed()
    {
        var snapshots = new ScriptedSnapshots(
            [Outbound(1, sent: 300, received: 900), Outbound(2, sent: 0, received: 0, state: "SYN_SENT")],
            []);
        var source = new PollingConnectionSource(snapshots, TimeProvider.System);
        Collect(source, 1);

        var closed = Collect(source, 1).OrderBy(e => e.ConnectionId).ToList();
        Assert.All(closed, e => Assert.Equal((ConnectionEventKind.Closed, true), (e.Kind, e.CloseInferred))); // polling never sees a close
        Assert.Equal((1UL, 300L, 900L, false), (closed[0].ConnectionId, closed[0].BytesSent, closed[0].BytesReceived, closed[0].Failed));
        Assert.Equal((2UL, true), (closed[1].ConnectionId, closed[1].Failed));
    }

    [Fact]
    public void ListeningInboundAndUnattributedSocketsProduceNoEvents()
    {
        var snapshots = new ScriptedSnapshots([
            Outbound(1, 0, 0) with { Direction = Direction.Listening },
            Outbound(2, 0, 0) with { Direction = Direction.Inbound },
            Outbound(3, 0, 0) with { Process = ProcessInfo.Unknown },
            Outbound(4, 0, 0),
        ]);
        var events = Collect(new PollingConnectionSource(snapshots, TimeProvider.System), 1);
        Assert.Equal(4UL, Assert.Single(events).ConnectionId);
    }

    [Fact]
    public void StartupNotesSayWhyAttributionIsPartial()
    {
        var snapshots = new ScriptedSnapshots([]) { DegradedReason = "not root" };
        var source = new PollingConnectionSource(snapshots, TimeProvider.System, "no CAP_BPF");
        Assert.Contains(source.StartupNotes, n => n.Contains("polling (no CAP_BPF)"));
        Assert.Contains(source.StartupNotes, n => n.Contains("attribution is partial: not root"));
    }

    private static ConnectionRecord Outbound(ulong id, long sent, long received, string state = "ESTABLISHED") => new()
    {
        Transport = Transport.Tcp,
        Local = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40000 + (int)id),
        Remote = new IPEndPoint(IPAddress.Parse("198.51.100.2"), 443),
        State = state,
        Direction = Direction.Outbound,
        SocketId = id,
        BytesSent = sent,
        BytesReceived = received,
        Process = Curl,
    };

    [Fact]
    public void AStreamOfSnapshotsKeepsTheSourceOrderingPromise()
    {
        var snapshots = new ScriptedSnapshots(
            [Outbound(1, sent: 10, received: 0), Outbound(1, sent: 10, received: 0)],
            [Outbound(1, sent: 30, received: 5), Outbound(2, sent: 0, received: 0, state: "SYN_SENT")],
            [Outbound(2, sent: 0, received: 0)],
            [Outbound(2, sent: 100, received: 100)],
            []);
        var events = Collect(new PollingConnectionSource(snapshots, TimeProvider.System), 5);

        FlowStreamContract.AssertHeld(events, seenFromStart: false);
        Assert.Equal(2, events.Count(e => e.Kind == ConnectionEventKind.Closed));
        Assert.False(events.Single(e => e.Kind == ConnectionEventKind.Closed && e.ConnectionId == 2).Failed); // established by its last sighting
    }

    private static List<ConnectionEvent> Collect(IConnectionSource source, int intervals)
    {
        var sink = new ListSink();
        for (int i = 0; i < intervals; i++) source.EndInterval(sink);
        return sink.Events;
    }

    private sealed class ListSink : IConnectionEventSink
    {
        public List<ConnectionEvent> Events { get; } = new();
        public void OnEvent(ConnectionEvent connectionEvent) => Events.Add(connectionEvent);
    }

    private sealed class ScriptedSnapshots(params ConnectionRecord[][] snapshots) : IConnectionSnapshotProvider
    {
        private int _next;
        public string? DegradedReason { get; init; }
        public IReadOnlyList<ConnectionRecord> Capture() => snapshots[Math.Min(_next++, snapshots.Length - 1)];
    }
}
