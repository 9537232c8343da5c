using System.Net;
using NetSentinel.Core.Flows;
using NetSentinel.Core.Model;
using NetSentinel.Core.Sources;

namespace NetSentinel.Core.Tests.Flows;

public class FlowLedgerTests
{
    private static readonly ProcessInfo Curl = new() { Pid = 42, Name = "curl" };
    private static readonly IPEndPoint Local = new(IPAddress.Parse("198.51.100.1"), 0);
    private static readonly IPEndPoint Remote = new(IPAddress.Parse("198.51.100.2"), 443);
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 7, 0, 0, TimeSpan.Zero);

    private readonly FlowLedger<ulong> _ledger = new(TimeProvider.System, capacity: 2);
    private readonly Sink _sink = new();

    [Fact]
    public void CumulativeCountersBecomeDeltasThatSumToTheClosedTotals()
    {
        var flow = Open(1)!;
        _ledger.Observe(flow, 100, 10, T0.AddSeconds(1));
        _ledger.Report(flow, T0.AddSeconds(1), _sink);
        _ledger.Observe(flow, 90, 10, T0.AddSeconds(2)); // a smaller reading is not a negative delta
        _ledger.Report(flow, T0.AddSeconds(2), _sink);
        _ledger.Observe(flow, 150, 20, T0.AddSeconds(3));
        _ledger.Report(flow, T0.AddSeconds(3), _sink);
        _ledger.Observe(flow, 250, 30, T0.AddSeconds(3));
        _ledger.Close(flow, T0.AddSeconds(4), _sink); // the last delta rides on the close: no Traffic event of its own

        Assert.Equal(
            [(ConnectionEventKind.Opened, 0L, 0L), (ConnectionEventKind.Traffic, 100L, 10L), (ConnectionEventKind.Traffic, 50L, 10L), (ConnectionEventKind.Closed, 250L, 30L)],
            _sink.Events.Select(e => (e.Kind, e.BytesSent, e.BytesReceived)));
        Assert.Equal((100L, 10L), (_sink.Events[^1].UnreportedSent, _sink.Events[^1].UnreportedReceived));
        Assert.Equal((250L, 30L), (_sink.Events.Sum(e => e.DeltaSent), _sink.Events.Sum(e => e.DeltaReceived)));
        Assert.Equal(TimeSpan.FromSeconds(4), _sink.Events[^1].Duration);
        Assert.Equal(0, _ledger.Count);
    }

    [Fact]
    public void BytesAlreadyOnTheCountersWhenAFlowIsFirstSeenAreTheReferencePointNotTraffic()
    {
        var flow = _ledger.Open(1, 1, Transport.Tcp, Local, Remote, Curl, T0, _sink, sentSoFar: 5000, receivedSoFar: 100)!;
        _ledger.Observe(flow, 5100, 100, T0.AddSeconds(1));
        _ledger.ReportAll(T0.AddSeconds(1), _sink);

        Assert.Equal([(ConnectionEventKind.Opened, 0L), (ConnectionEventKind.Traffic, 100L)], _sink.Events.Select(e => (e.Kind, e.BytesSent)));
    }

    [Fact]
    public void IncrementsAccumulateUntilReportedAndASecondCloseOrOpenWritesNothing()
    {
        var flow = Open(1)!;
        _ledger.Add(flow, 10, 0, T0);
        _ledger.Add(flow, 15, 7, T0);
        Assert.Same(flow, Open(1)); // already open: no second Opened
        _ledger.Close(flow, T0.AddSeconds(1), _sink);
        _ledger.Close(flow, T0.AddSeconds(2), _sink);

        Assert.Equal([(ConnectionEventKind.Opened, 0L, 0L), (ConnectionEventKind.Closed, 25L, 25L)], _sink.Events.Select(e => (e.Kind, e.BytesSent, e.DeltaSent)));
    }

    [Fact]
    public void AFullLedgerRefusesAndCountsNewFlows()
    {
        Open(1);
        Open(2);
        Assert.Null(Open(3));
        Assert.Equal((2, 1L), (_ledger.Count, _ledger.Untracked));
    }

    [Fact]
    public void AFlowMissingFromEnoughSweepsClosesAsInferredWithTheBytesObserved()
    {
        var kept = Open(1)!;
        var gone = Open(2)!;
        _ledger.Observe(gone, 40, 0, T0.AddSeconds(3));
        for (int sweep = 0; sweep < 2; sweep++)
        {
            _ledger.BeginSweep();
            _ledger.MarkSeen(kept);
            _ledger.EvictUnseen(2, T0.AddSeconds(10), _sink);
        }

        ConnectionEvent closed = _sink.Events[^1];
        Assert.Equal((ConnectionEventKind.Closed, 2UL, true, 40L), (closed.Kind, closed.ConnectionId, closed.CloseInferred, closed.BytesSent));
        Assert.Equal(TimeSpan.FromSeconds(10), closed.Duration);
        Assert.Equal(1, _ledger.Count);
    }

    [Fact]
    public void IdleUdpFlowsAndUnestablishedTcpAttemptsCloseAsInferredTheAttemptsAsFailed()
    {
        var udp = _ledger.Open(1, 1, Transport.Udp, Local, Remote, Curl, T0, _sink)!;
        var attempt = Open(2)!;
        _ledger.CloseIdle(T0.AddSeconds(5), udpIdle: TimeSpan.FromSeconds(10), unestablishedTcpIdle: TimeSpan.FromSeconds(10), _sink);
        Assert.Equal(2, _ledger.Count);

        _ledger.CloseIdle(T0.AddSeconds(20), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), _sink);

        var closed = _sink.Events.Where(e => e.Kind == ConnectionEventKind.Closed).OrderBy(e => e.ConnectionId).ToList();
        Assert.Equal([(1UL, false, true), (2UL, true, true)], closed.Select(e => (e.ConnectionId, e.Failed, e.CloseInferred)));
        Assert.Equal(0, _ledger.Count);
    }

    [Fact]
    public void EndpointsAreNormalisedOnceAtOpenAndTheLocalPortLearnedLater()
    {
        var mapped = new IPEndPoint(IPAddress.Parse("::ffff:198.51.100.2"), 443);
        var flow = _ledger.Open(1, 1, Transport.Tcp, new IPEndPoint(IPAddress.Parse("::ffff:198.51.100.1"), 0), mapped, Curl, T0, _sink)!;
        flow.LearnLocal(new IPEndPoint(IPAddress.Parse("::ffff:198.51.100.1"), 40000));
        flow.LearnLocal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 50000)); // learned once

        Assert.Equal(Remote, _sink.Events[0].Remote);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40000), flow.Local);
    }

    [Fact]
    public void ASinkThatKeepsNoEventIsHandedOneEventRewrittenAndAnyOtherANewOneEachTime()
    {
        var borrower = new Borrower();
        var flow = _ledger.Open(1, 1, Transport.Tcp, Local, Remote, Curl, T0, borrower)!;
        _ledger.Observe(flow, 80, 240, T0.AddSeconds(1));
        _ledger.Close(flow, T0.AddSeconds(1), borrower, failed: true);
        var kept = Open(2)!;
        _ledger.Close(kept, T0.AddSeconds(2), _sink);

        Assert.Single(borrower.Objects.Distinct());
        Assert.Equal( // what it saw during each call: every field rewritten, the names cleared
            [(ConnectionEventKind.Opened, 1UL, 0L, 0L, false), (ConnectionEventKind.Closed, 1UL, 80L, 240L, true)],
            borrower.Seen);
        Assert.Equal(2, _sink.Events.Distinct().Count());
        Assert.DoesNotContain(borrower.Objects[0], _sink.Events);
        Assert.Equal([ConnectionEventKind.Opened, ConnectionEventKind.Closed], _sink.Events.Select(e => e.Kind));
    }

    [Fact]
    public void AClosedFlowIsReusedForTheNextOneAndStartsWithNothingOfTheOld()
    {
        var first = Open(1)!;
        first.Established = true;
        first.LearnLocal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40000));
        _ledger.Observe(first, 500, 70, T0.AddSeconds(1));
        _ledger.Close(first, T0.AddSeconds(2), _sink);

        var second = _ledger.Open(2, 2, Transport.Udp, Local, Remote, Curl, T0.AddSeconds(3), _sink, sentSoFar: 9)!;

        Assert.Same(first, second);
        Assert.Equal((2UL, 2UL, Transport.Udp, 0, T0.AddSeconds(3), false), (second.Key, second.Id, second.Transport, second.Local.Port, second.OpenedAt, second.Established));
        Assert.Equal((9L, 0L, 9L, 0L), (second.ObservedSent, second.ObservedReceived, second.ReportedSent, second.ReportedReceived));
        _ledger.Close(second, T0.AddSeconds(4), _sink);
        Assert.Equal((9L, 0L, TimeSpan.FromSeconds(1)), (_sink.Events[^1].BytesSent, _sink.Events[^1].BytesReceived, _sink.Events[^1].Duration));
    }

    [Fact]
    public void AReusedFlowAndTheRewrittenEventTakeEachFlowsOwnEndpointsAndProcessWhetherTheyChangeOrNot()
    {
        // Flow.Start and the reused event store a reference only when it changes (a write barrier each): what they hold
        // must still be each flow's own, for flows that change their remote and process and for flows that share them.
        var wget = new ProcessInfo { Pid = 43, Name = "wget" };
        var other = new IPEndPoint(IPAddress.Parse("198.51.100.3"), 8443);
        var seen = new List<(IPEndPoint Local, IPEndPoint Remote, string Process)>();
        var borrower = new Watcher(e => seen.Add((e.Local, e.Remote, e.Process.Name)));
        var plan = new[] { (Remote, Curl, 40001), (other, wget, 40002), (other, wget, 40003), (Remote, Curl, 40004) };
        ulong id = 0;
        foreach (var (remote, process, port) in plan)
        {
            var local = new IPEndPoint(IPAddress.Parse("198.51.100.1"), port);
            var flow = _ledger.Open(++id, id, Transport.Tcp, local, remote, process, T0, borrower)!;
            Assert.Equal((local, remote, process), (flow.Local, flow.Remote, flow.Process));
            _ledger.Close(flow, T0.AddSeconds(1), borrower);
        }

        Assert.Equal(plan.SelectMany(p => Enumerable.Repeat((new IPEndPoint(IPAddress.Parse("198.51.100.1"), p.Item3), p.Item1, p.Item2.Name), 2)), seen);
    }

    private Flow<ulong>? Open(ulong id) => _ledger.Open(id, id, Transport.Tcp, Local, Remote, Curl, T0, _sink);

    private sealed class Sink : IConnectionEventSink
    {
        public List<ConnectionEvent> Events { get; } = [];
        public void OnEvent(ConnectionEvent connectionEvent) => Events.Add(connectionEvent);
    }

    /// <summary>Looks at each event during the call only.</summary>
    private sealed class Watcher(Action<ConnectionEvent> look) : IConnectionEventSink
    {
        public bool KeepsNoEvent => true;
        public void OnEvent(ConnectionEvent connectionEvent) => look(connectionEvent);
    }

    /// <summary>Keeps only copies of what it was shown, as it promises.</summary>
    private sealed class Borrower : IConnectionEventSink
    {
        public List<ConnectionEvent> Objects { get; } = [];
        public List<(ConnectionEventKind, ulong, long, long, bool)> Seen { get; } = [];
        public bool KeepsNoEvent => true;

        public void OnEvent(ConnectionEvent connectionEvent)
        {
            Objects.Add(connectionEvent);
            Seen.Add((connectionEvent.Kind, connectionEvent.ConnectionId, connectionEvent.DeltaSent, connectionEvent.DeltaReceived, connectionEvent.Failed));
        }
    }
}
