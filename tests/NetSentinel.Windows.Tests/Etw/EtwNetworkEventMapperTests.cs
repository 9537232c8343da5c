using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Tests.Shared;
using NetSentinel.Windows.Etw;

namespace NetSentinel.Windows.Tests.Etw;

public class EtwNetworkEventMapperTests
{
    private const string Me = "198.51.100.1";
    private const string Peer = "198.51.100.9";
    private const string Me6 = "2001:db8::1";
    private const string Peer6 = "2001:db8::9";
    private const int Curl = 200;
    private static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly FakeProcessInfoResolver _processes = new((Curl, @"C:\Tools\curl.exe"), (100, @"C:\Server\server.exe"));
    private readonly CollectingSink _sink = new();
    private readonly EtwNetworkEventMapper _mapper;

    public EtwNetworkEventMapperTests() =>
        _mapper = new EtwNetworkEventMapper(_processes, address => address.Equals(IPAddress.Parse(Me)) || address.Equals(IPAddress.Parse(Me6)));

    /// <summary>A record as the kernel names it: saddr/sport, daddr/dport.</summary>
    private static EtwNetworkRecord Rec(EtwNetworkOpcode opcode, string saddr, int sport, string daddr, int dport, int size = 0, int pid = Curl, double seconds = 0, Transport transport = Transport.Tcp) =>
        new(opcode, transport, pid, size, IPAddress.Parse(saddr), sport, IPAddress.Parse(daddr), dport, T0.AddSeconds(seconds));

    private void Apply(params EtwNetworkRecord[] records)
    {
        foreach (var record in records) _mapper.Apply(record, _sink);
    }

    [Fact]
    public void ConnectOpensWithProcessFromThePayloadPid()
    {
        Apply(Rec(EtwNetworkOpcode.Connect, Me, 50000, Peer, 443));

        var opened = Assert.Single(_sink.Take());
        Assert.Equal(ConnectionEventKind.Opened, opened.Kind);
        Assert.Equal(Transport.Tcp, opened.Transport);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(Me), 50000), opened.Local);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(Peer), 443), opened.Remote);
        Assert.Equal((Curl, "curl.exe", @"C:\Tools\curl.exe", AttributionSource.Etw), (opened.Process.Pid, opened.Process.Name, opened.Process.Executable, opened.Process.IdentifiedBy));
        Assert.Equal(T0, opened.Timestamp);
        Assert.Equal((0L, 0L), (opened.BytesSent, opened.BytesReceived));
    }

    [Fact]
    public void Ipv6ConnectOpensWithIpv6Endpoints()
    {
        Apply(Rec(EtwNetworkOpcode.Connect, Me6, 50001, Peer6, 22));

        var opened = Assert.Single(_sink.Take());
        Assert.Equal(new IPEndPoint(IPAddress.Parse(Me6), 50001), opened.Local);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(Peer6), 22), opened.Remote);
    }

    [Fact]
    public void SendsAndReceivesAreSummedPerIntervalIntoTrafficDeltas()
    {
        Apply(
            Rec(EtwNetworkOpcode.Connect, Me, 50000, Peer, 443),
            Rec(EtwNetworkOpcode.Send, Me, 50000, Peer, 443, size: 100),
            Rec(EtwNetworkOpcode.Send, Me, 50000, Peer, 443, size: 250),
            // receive: the kernel names the packet's source (the peer) as saddr
            Rec(EtwNetworkOpcode.Receive, Peer, 443, Me, 50000, size: 4000));
        var opened = Assert.Single(_sink.Take()); // bytes wait for the interval end

        _mapper.EndInterval(T0.AddSeconds(5), _sink);
        var traffic = Assert.Single(_sink.Take());
        Assert.Equal((ConnectionEventKind.Traffic, 350L, 4000L), (traffic.Kind, traffic.BytesSent, traffic.BytesReceived));
        Assert.Equal(opened.ConnectionId, traffic.ConnectionId);
        Assert.Equal(T0.AddSeconds(5), traffic.Timestamp);

        _mapper.EndInterval(T0.AddSeconds(10), _sink);
        Assert.Empty(_sink.Take()); // nothing moved, nothing reported

        Apply(Rec(EtwNetworkOpcode.Send, Me, 50000, Peer, 443, size: 7));
        _mapper.EndInterval(T0.AddSeconds(15), _sink);
        Assert.Equal((7L, 0L), (_sink.Events[0].BytesSent, _sink.Events[0].BytesReceived));
    }

    [Fact]
    public void ReceiveNamedFromThePacketsViewIsNormalizedEvenWithoutLocalAddressHint()
    {
        // Loopback: both ends are local, so only the event convention (receive: destination is us) can decide.
        var mapper = new EtwNetworkEventMapper(_processes, IPAddress.IsLoopback);
        mapper.Apply(Rec(EtwNetworkOpcode.Receive, "127.0.0.1", 8080, "127.0.0.1", 50000, size: 10), _sink);

        var opened = _sink.Events[0];
        Assert.Equal(50000, opened.Local.Port);
        Assert.Equal(8080, opened.Remote.Port);
    }

    [Fact]
    public void ReceiveNamedLikeASendStillLandsOnTheKnownConnection()
    {
        // If a provider version named receive endpoints from our side, the known connection still matches.
        Apply(
            Rec(EtwNetworkOpcode.Connect, Me, 50000, Peer, 443),
            Rec(EtwNetworkOpcode.Receive, Me, 50000, Peer, 443, size: 64));
        _mapper.EndInterval(T0.AddSeconds(1), _sink);

        var events = _sink.Take();
        Assert.Equal([ConnectionEventKind.Opened, ConnectionEventKind.Traffic], events.Select(e => e.Kind));
        Assert.Equal(64, events[1].BytesReceived);
        Assert.Equal(1, _mapper.TrackedCount);
    }

    [Fact]
    public void LocalAddressDecidesOrientationForAnUnknownConnection()
    {
        // Local address as daddr on a send would be odd, but the address itself is the stronger evidence.
        Apply(Rec(EtwNetworkOpcode.Send, Peer, 443, Me, 50000, size: 5));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(Me), 50000), _sink.Events[0].Local);
    }

    [Fact]
    public void DisconnectReportsClosedWithTotalsTheUnreportedRemainderAndDuration()
    {
        Apply(
            Rec(EtwNetworkOpcode.Connect, Me, 50000, Peer, 443),
            Rec(EtwNetworkOpcode.Send, Me, 50000, Peer, 443, size: 100, seconds: 1));
        _mapper.EndInterval(T0.AddSeconds(2), _sink);
        Apply(
            Rec(EtwNetworkOpcode.Send, Me, 50000, Peer, 443, size: 30, seconds: 3),
            Rec(EtwNetworkOpcode.Receive, Peer, 443, Me, 50000, size: 500, seconds: 3),
            Rec(EtwNetworkOpcode.Disconnect, Me, 50000, Peer, 443, seconds: 4));

        var events = _sink.Take();
        Assert.Equal([ConnectionEventKind.Opened, ConnectionEventKind.Traffic, ConnectionEventKind.Closed], events.Select(e => e.Kind));
        var closed = events[2];
        Assert.Equal((130L, 500L), (closed.BytesSent, closed.BytesReceived));
        Assert.Equal((30L, 500L), (closed.UnreportedSent, closed.UnreportedReceived)); // the last delta rides on the close
        Assert.Equal(TimeSpan.FromSeconds(4), closed.Duration);
        Assert.False(closed.Failed);
        Assert.Equal(T0.AddSeconds(4), closed.Timestamp);
        Assert.Equal(0, _mapper.TrackedCount);

        _mapper.EndInterval(T0.AddSeconds(5), _sink);
        Assert.Empty(_sink.Take()); // a closed connection reports nothing more
    }

    [Fact]
    public void Ipv6DisconnectClosesTheIpv6Connection()
    {
        Apply(
            Rec(EtwNetworkOpcode.Connect, Me6, 50001, Peer6, 443),
            Rec(EtwNetworkOpcode.Receive, Peer6, 443, Me6, 50001, size: 9),
            Rec(EtwNetworkOpcode.Disconnect, Me6, 50001, Peer6, 443, seconds: 2));

        var closed = _sink.Events[^1];
        Assert.Equal((ConnectionEventKind.Closed, 9L), (closed.Kind, closed.BytesReceived));
        Assert.Equal(IPAddress.Parse(Peer6), closed.Remote.Address);
    }

    [Fact]
    public void AcceptedConnectionsAreNeverOutbound()
    {
        Apply(
            Rec(EtwNetworkOpcode.Accept, Me, 8443, Peer, 61000, pid: 100),
            Rec(EtwNetworkOpcode.Receive, Peer, 61000, Me, 8443, size: 1000, pid: 100),
            Rec(EtwNetworkOpcode.Send, Me, 8443, Peer, 61000, size: 2000, pid: 100),
            Rec(EtwNetworkOpcode.Disconnect, Me, 8443, Peer, 61000, pid: 100));
        _mapper.EndInterval(T0.AddSeconds(1), _sink);

        Assert.Empty(_sink.Events);
        Assert.Equal(0, _mapper.TrackedCount);
    }

    [Fact]
    public void RetransmitIsNotAConnectAndMovesNothing()
    {
        Apply(
            Rec(EtwNetworkOpcode.Connect, Me, 50000, Peer, 443),
            Rec(EtwNetworkOpcode.Retransmit, Me, 50000, Peer, 443, size: 1460),
            Rec(EtwNetworkOpcode.Retransmit, Me, 50001, Peer, 443, size: 1460), // unknown connection: still nothing
            Rec(EtwNetworkOpcode.Other, Me, 50002, Peer, 443, size: 1));
        _mapper.EndInterval(T0.AddSeconds(1), _sink);

        Assert.Equal(ConnectionEventKind.Opened, Assert.Single(_sink.Events).Kind);
    }

    [Fact]
    public void ReconnectOnAKnownConnectionIsNotASecondOpen()
    {
        Apply(
            Rec(EtwNetworkOpcode.Connect, Me, 50000, Peer, 443),
            Rec(EtwNetworkOpcode.Reconnect, Me, 50000, Peer, 443, seconds: 1));
        Assert.Single(_sink.Events);
    }

    [Fact]
    public void SynRetriesThatNeverCompleteCloseAsFailedAfterTheTimeout()
    {
        Apply(
            Rec(EtwNetworkOpcode.Reconnect, Me, 50000, Peer, 23, seconds: 0),
            Rec(EtwNetworkOpcode.Reconnect, Me, 50000, Peer, 23, seconds: 1));
        var opened = Assert.Single(_sink.Take());
        Assert.Equal(ConnectionEventKind.Opened, opened.Kind);

        _mapper.EndInterval(T0.AddSeconds(20), _sink);
        Assert.Empty(_sink.Take()); // still within the timeout: Windows may yet connect

        _mapper.EndInterval(T0.AddSeconds(31), _sink);
        var closed = Assert.Single(_sink.Take());
        Assert.Equal((ConnectionEventKind.Closed, true), (closed.Kind, closed.Failed));
        Assert.Equal(opened.ConnectionId, closed.ConnectionId);
        Assert.Equal(TimeSpan.FromSeconds(1), closed.Duration); // opened to last retry
        Assert.Equal(0, _mapper.TrackedCount);
    }

    [Fact]
    public void RetriedAttemptThatConnectsIsNotFailed()
    {
        Apply(
            Rec(EtwNetworkOpcode.Reconnect, Me, 50000, Peer, 443),
            Rec(EtwNetworkOpcode.Connect, Me, 50000, Peer, 443, seconds: 3));
        _mapper.EndInterval(T0.AddSeconds(60), _sink);
        Apply(Rec(EtwNetworkOpcode.Disconnect, Me, 50000, Peer, 443, seconds: 61));

        var events = _sink.Take();
        Assert.Equal([ConnectionEventKind.Opened, ConnectionEventKind.Closed], events.Select(e => e.Kind));
        Assert.False(events[1].Failed);
    }

    [Fact]
    public void DisconnectOfAnUnconfirmedAttemptIsFailed()
    {
        Apply(
            Rec(EtwNetworkOpcode.Reconnect, Me, 50000, Peer, 23),
            Rec(EtwNetworkOpcode.Disconnect, Me, 50000, Peer, 23, seconds: 2));

        Assert.True(_sink.Events[^1].Failed);
    }

    [Fact]
    public void FailWithEndpointsClosesAsFailedEvenIfNeverSeenOpening()
    {
        Apply(Rec(EtwNetworkOpcode.Fail, Me, 50000, Peer, 445));

        var events = _sink.Take();
        Assert.Equal([ConnectionEventKind.Opened, ConnectionEventKind.Closed], events.Select(e => e.Kind));
        Assert.True(events[1].Failed);
        Assert.Equal(events[0].ConnectionId, events[1].ConnectionId);
    }

    [Fact]
    public void TrafficOnAConnectionOlderThanTheSessionOpensItOnce()
    {
        Apply(
            Rec(EtwNetworkOpcode.Send, Me, 50000, Peer, 443, size: 10),
            Rec(EtwNetworkOpcode.Send, Me, 50000, Peer, 443, size: 10));
        _mapper.EndInterval(T0.AddSeconds(1), _sink);

        Assert.Equal([ConnectionEventKind.Opened, ConnectionEventKind.Traffic], _sink.Events.Select(e => e.Kind));
        Assert.Equal(20, _sink.Events[1].BytesSent);
    }

    [Fact]
    public void SeededSnapshotKeepsOldInboundConnectionsOut()
    {
        var server = new ProcessInfo { Pid = 100, Name = "server.exe" };
        _mapper.Seed([
            new ConnectionRecord { Transport = Transport.Tcp, Local = new IPEndPoint(IPAddress.Any, 3389), Remote = new IPEndPoint(IPAddress.Any, 0), State = "LISTEN", Direction = Direction.Listening, Process = server },
            new ConnectionRecord { Transport = Transport.Tcp, Local = new IPEndPoint(IPAddress.Parse(Me), 8443), Remote = new IPEndPoint(IPAddress.Parse(Peer), 61000), State = "ESTABLISHED", Direction = Direction.Inbound, Process = server },
        ]);

        Apply(
            Rec(EtwNetworkOpcode.Send, Me, 8443, Peer, 61000, size: 5, pid: 100),      // known inbound connection
            Rec(EtwNetworkOpcode.Send, Me, 3389, Peer, 62000, size: 5, pid: 100),      // unknown, but on a listening port
            Rec(EtwNetworkOpcode.Send, Me, 50000, Peer, 3389, size: 5));               // ours, to a remote 3389
        _mapper.EndInterval(T0.AddSeconds(1), _sink);

        var events = _sink.Take();
        Assert.Equal([ConnectionEventKind.Opened, ConnectionEventKind.Traffic], events.Select(e => e.Kind));
        Assert.Equal(50000, events[0].Local.Port);
    }

    [Fact]
    public void SeededListenerOnOneAddressDoesNotMakeAnotherAddressesConnectionInbound()
    {
        var server = new ProcessInfo { Pid = 100, Name = "server.exe" };
        _mapper.Seed([
            new ConnectionRecord { Transport = Transport.Tcp, Local = new IPEndPoint(IPAddress.Loopback, 5000), Remote = new IPEndPoint(IPAddress.Any, 0), State = "LISTEN", Direction = Direction.Listening, Process = server },
        ]);

        Apply(
            Rec(EtwNetworkOpcode.Send, "127.0.0.1", 5000, "127.0.0.1", 62000, size: 5, pid: 100),  // the loopback listener's peer
            Rec(EtwNetworkOpcode.Send, Me, 5000, Peer, 443, size: 5),                            // ours: same port, another address
            Rec(EtwNetworkOpcode.Send, Me6, 5000, Peer6, 443, size: 5));                         // ours: same port, the other family
        _mapper.EndInterval(T0.AddSeconds(1), _sink);

        var opened = _sink.Take().Where(e => e.Kind == ConnectionEventKind.Opened).ToList();
        Assert.Equal([IPAddress.Parse(Me), IPAddress.Parse(Me6)], opened.Select(e => e.Local.Address));
    }

    [Fact]
    public void FirstUdpSendOpensAFlowAndLaterDatagramsAreTraffic()
    {
        Apply(
            Rec(EtwNetworkOpcode.Send, Me, 55000, "198.51.100.53", 53, size: 40, transport: Transport.Udp),
            Rec(EtwNetworkOpcode.Receive, "198.51.100.53", 53, Me, 55000, size: 120, transport: Transport.Udp),
            Rec(EtwNetworkOpcode.Send, Me, 55000, "198.51.100.53", 53, size: 40, transport: Transport.Udp));
        _mapper.EndInterval(T0.AddSeconds(1), _sink);

        var events = _sink.Take();
        Assert.Equal([ConnectionEventKind.Opened, ConnectionEventKind.Traffic], events.Select(e => e.Kind));
        Assert.Equal(Transport.Udp, events[0].Transport);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.53"), 53), events[0].Remote);
        Assert.Equal((80L, 120L), (events[1].BytesSent, events[1].BytesReceived));
    }

    [Fact]
    public void UdpDatagramToAServerIsInboundAndDropped()
    {
        Apply(Rec(EtwNetworkOpcode.Receive, Peer, 40000, Me, 53, size: 60, pid: 100, transport: Transport.Udp));
        _mapper.EndInterval(T0.AddSeconds(1), _sink);
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public void UdpConnectOpcodeMeansNothing()
    {
        Apply(Rec(EtwNetworkOpcode.Connect, Me, 55000, Peer, 53, transport: Transport.Udp));
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public void IdleUdpFlowClosesWithTotals()
    {
        var mapper = new EtwNetworkEventMapper(_processes, _ => false, udpIdleTimeout: TimeSpan.FromSeconds(10));
        mapper.Apply(Rec(EtwNetworkOpcode.Send, Me, 55000, "198.51.100.53", 53, size: 40, transport: Transport.Udp), _sink);
        mapper.EndInterval(T0.AddSeconds(5), _sink);
        mapper.EndInterval(T0.AddSeconds(12), _sink);

        var events = _sink.Take();
        Assert.Equal([ConnectionEventKind.Opened, ConnectionEventKind.Traffic, ConnectionEventKind.Closed], events.Select(e => e.Kind));
        Assert.Equal((40L, false, TimeSpan.Zero), (events[2].BytesSent, events[2].Failed, events[2].Duration));
        Assert.True(events[2].CloseInferred); // UDP has no close: the flow fell idle
    }

    [Fact]
    public void AMixedSessionKeepsTheSourceOrderingPromiseAndOnlyInferredClosesSayInferred()
    {
        var mapper = new EtwNetworkEventMapper(_processes, address => address.Equals(IPAddress.Parse(Me)), failedAttemptTimeout: TimeSpan.FromSeconds(5), udpIdleTimeout: TimeSpan.FromSeconds(10));
        EtwNetworkRecord[] records =
        [
            Rec(EtwNetworkOpcode.Connect, Me, 50000, Peer, 443),
            Rec(EtwNetworkOpcode.Send, Me, 50000, Peer, 443, size: 100, seconds: 1),
            Rec(EtwNetworkOpcode.Receive, Peer, 443, Me, 50000, size: 700, seconds: 1),
            Rec(EtwNetworkOpcode.Reconnect, Me, 50001, Peer, 22, seconds: 1),
            Rec(EtwNetworkOpcode.Send, Me, 55000, Peer, 53, size: 40, transport: Transport.Udp, seconds: 2),
            Rec(EtwNetworkOpcode.Fail, Me, 50002, Peer, 23, seconds: 2),
            Rec(EtwNetworkOpcode.Send, Me, 50000, Peer, 443, size: 50, seconds: 3),
            Rec(EtwNetworkOpcode.Disconnect, Me, 50000, Peer, 443, seconds: 4),
        ];
        foreach (var record in records) mapper.Apply(record, _sink);
        mapper.EndInterval(T0.AddSeconds(5), _sink);
        mapper.EndInterval(T0.AddSeconds(30), _sink);

        FlowStreamContract.AssertHeld(_sink.Events);
        var closed = _sink.Events.Where(e => e.Kind == ConnectionEventKind.Closed).ToDictionary(e => e.Remote.Port);
        Assert.Equal((150L, 700L, false, false), (closed[443].BytesSent, closed[443].BytesReceived, closed[443].Failed, closed[443].CloseInferred));
        Assert.Equal((true, false), (closed[23].Failed, closed[23].CloseInferred));  // the stack said it failed
        Assert.Equal((true, true), (closed[22].Failed, closed[22].CloseInferred));   // never confirmed: given up on
        Assert.Equal((false, true), (closed[53].Failed, closed[53].CloseInferred));  // idle
        Assert.Equal(0, mapper.TrackedCount);
    }

    [Fact]
    public void Ipv6UdpFlowOpens()
    {
        Apply(Rec(EtwNetworkOpcode.Send, Me6, 55000, Peer6, 443, size: 1200, transport: Transport.Udp));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(Peer6), 443), Assert.Single(_sink.Events).Remote);
    }

    [Fact]
    public void SameEndpointsInTwoProcessesAreTwoFlows()
    {
        Apply(
            Rec(EtwNetworkOpcode.Send, Me, 55000, Peer, 53, size: 1, pid: Curl, transport: Transport.Udp),
            Rec(EtwNetworkOpcode.Send, Me, 55000, Peer, 53, size: 1, pid: 100, transport: Transport.Udp));

        Assert.Equal([Curl, 100], _sink.Events.Select(e => e.Process.Pid));
        Assert.NotEqual(_sink.Events[0].ConnectionId, _sink.Events[1].ConnectionId);
    }

    [Fact]
    public void ProcessIsResolvedOncePerFlow()
    {
        Apply(
            Rec(EtwNetworkOpcode.Connect, Me, 50000, Peer, 443),
            Rec(EtwNetworkOpcode.Send, Me, 50000, Peer, 443, size: 1),
            Rec(EtwNetworkOpcode.Send, Me, 50000, Peer, 443, size: 1));
        Assert.Equal([Curl], _processes.Asked);
    }

    [Fact]
    public void PidZeroIsUnknownOwner()
    {
        Apply(Rec(EtwNetworkOpcode.Connect, Me, 50000, Peer, 443, pid: 0));
        Assert.Same(ProcessInfo.Unknown, _sink.Events[0].Process);
        Assert.Empty(_processes.Asked);
    }

    [Fact]
    public void TableIsBoundedAndOverflowIsCounted()
    {
        var mapper = new EtwNetworkEventMapper(_processes, _ => false, maxTracked: 2);
        for (int port = 1; port <= 5; port++) mapper.Apply(Rec(EtwNetworkOpcode.Connect, Me, 50000 + port, Peer, 443), _sink);

        Assert.Equal(2, _sink.Events.Count);
        Assert.Equal(3, mapper.UntrackedConnections);
        Assert.Equal(2, mapper.TrackedCount);
    }

    [Fact]
    public void ConnectionIdsAreUniqueAmongLiveConnections()
    {
        Apply(
            Rec(EtwNetworkOpcode.Connect, Me, 50000, Peer, 443),
            Rec(EtwNetworkOpcode.Connect, Me, 50001, Peer, 443),
            Rec(EtwNetworkOpcode.Connect, Me6, 50000, Peer6, 443));
        Assert.Equal(3, _sink.Events.Select(e => e.ConnectionId).Distinct().Count());
    }
}
