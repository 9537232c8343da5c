using System.Net;
using NetSentinel.Core.Flows;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Bpf.Abi;
using NetSentinel.Tests.Shared;
using static NetSentinel.Linux.Tests.Bpf.GoldenRecords;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>
/// The kernel path without a kernel: golden ring-buffer records and map reads through the decoder and translator
/// into the flow ledger, as an ordinary user. Every case here is one that real traffic produces only by luck.
/// </summary>
public sealed class BpfRecordDecoderTests : IDisposable
{
    private static readonly NsEndpoints Web = Ends("198.51.100.1", 40000, "198.51.100.2", 443);
    private static readonly NsEndpoints Dns = Ends("198.51.100.1", 0, "198.51.100.53", 53, NsAbi.ProtoUdp);

    private readonly string _proc = Directory.CreateTempSubdirectory("ns-fakeproc-").FullName;
    private readonly FakeUdpFlowTable _udpFlows = new();
    private readonly EventRecorder _events = new();
    private readonly BpfEventTranslator _translator;
    private readonly BpfRecordDecoder _decoder;

    public BpfRecordDecoderTests()
    {
        _translator = new BpfEventTranslator(new FlowLedger<ulong>(TimeProvider.System), new ProcessCatalog(_proc), _udpFlows);
        _decoder = new BpfRecordDecoder(_translator);
    }

    [Fact]
    public void AConnectionOpensReportsCounterGrowthAsDeltasAndClosesWithTheRestThenTotals()
    {
        NsTask curl = Task(4242);
        Decode(TcpConnect(1, 1_000, curl, Web));
        Interval(sockets: [Socket(1, curl, Web, sent: 100, received: 50)]);
        Interval(sockets: [Socket(1, curl, Web, sent: 100, received: 50)]); // no growth, no event
        Decode(TcpCloseShort(1, 5_000, sent: 300, received: 80, durationNs: 4_000)); // task and endpoints: the connect record's

        Assert.Equal(
            [(ConnectionEventKind.Opened, 0L, 0L, 0L, 0L), (ConnectionEventKind.Traffic, 100L, 50L, 100L, 50L), (ConnectionEventKind.Closed, 300L, 80L, 200L, 30L)],
            _events.Events.Select(e => (e.Kind, e.BytesSent, e.BytesReceived, e.DeltaSent, e.DeltaReceived))); // the rest rides on the close
        ConnectionEvent closed = _events.Events[^1];
        Assert.Equal((1UL, false, false), (closed.ConnectionId, closed.Failed, closed.CloseInferred));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.2"), 443), closed.Remote);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40000), closed.Local);
        Assert.Equal(TimeSpan.FromTicks(40), closed.Duration);
        Assert.Equal(("curl", 4242, AttributionSource.Kernel), (closed.Process.Name, closed.Process.Pid, closed.Process.IdentifiedBy));
        Assert.Equal(0, _translator.TrackedCount);
        Assert.Equal(0, _decoder.Refused);
    }

    [Fact]
    public void AUdpFlowThatSendsAgainAfterItsIdleGapIsResumedAtTheKernelsTime()
    {
        NsTask beacon = Task(5150, "beacon");
        Decode(UdpFlow(3, 1_000_000_000, beacon, Dns));
        Decode(UdpResumed(3, 4_100_000_000, beacon, Dns));
        Decode(UdpResumed(3, 7_000_000_000, beacon, Dns));

        Assert.Equal([ConnectionEventKind.Opened, ConnectionEventKind.Resumed, ConnectionEventKind.Resumed], _events.Events.Select(e => e.Kind));
        Assert.All(_events.Events, e => Assert.Equal((3UL, Transport.Udp, 5150), (e.ConnectionId, e.Transport, e.Process.Pid)));
        Assert.Equal(TimeSpan.FromSeconds(3.1), _events.Events[1].Timestamp - _events.Events[0].Timestamp);
        Assert.Equal(TimeSpan.FromSeconds(2.9), _events.Events[2].Timestamp - _events.Events[1].Timestamp);
        Assert.Equal(1, _translator.TrackedCount);
    }

    [Fact]
    public void AResumedFlowWhoseOpenWasLostOpensInstead()
    {
        Decode(UdpResumed(8, 2_000_000_000, Task(61, "ntpdate"), Dns));

        ConnectionEvent opened = Assert.Single(_events.Events);
        Assert.Equal((ConnectionEventKind.Opened, 8UL, Transport.Udp, "ntpdate"), (opened.Kind, opened.ConnectionId, opened.Transport, opened.Process.Name));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.53"), 53), opened.Remote);
    }

    [Fact]
    public void ACloseWhoseConnectWasLostOpensTheConnectionLateWithTheIdentityCapturedAtConnect()
    {
        Decode(TcpClose(9, 5_000_000, Task(77, "nc"), Web, sent: 0, received: 0, durationNs: 3_000_000, established: false));

        Assert.Equal([ConnectionEventKind.Opened, ConnectionEventKind.Closed], _events.Events.Select(e => e.Kind));
        ConnectionEvent opened = _events.Events[0], closed = _events.Events[1];
        Assert.Equal(TimeSpan.FromMilliseconds(3), closed.Timestamp - opened.Timestamp); // opened when it was, not when we heard
        Assert.Equal(("nc", 77, true), (closed.Process.Name, closed.Process.Pid, closed.Failed));
        Assert.Equal(TimeSpan.FromMilliseconds(3), closed.Duration);
    }

    [Fact]
    public void AShortCloseOfAConnectThatGaveUpAfterItsConnectRecordIsAFailedCloseOfThatConnection()
    {
        // A SYN nobody answered: the connect record came at the first retransmission, the short close when it gave up.
        Decode(TcpConnect(12, 1_000_000, Task(78, "nc"), Web));
        Decode(TcpCloseShort(12, 9_001_000_000, sent: 0, received: 0, durationNs: 9_000_000_000, established: false));

        Assert.Equal([ConnectionEventKind.Opened, ConnectionEventKind.Closed], _events.Events.Select(e => e.Kind));
        ConnectionEvent closed = _events.Events[1];
        Assert.Equal((12UL, true, "nc", 78), (closed.ConnectionId, closed.Failed, closed.Process.Name, closed.Process.Pid));
        Assert.Equal(TimeSpan.FromSeconds(9), closed.Duration);
        Assert.Equal(TimeSpan.FromSeconds(9), closed.Timestamp - _events.Events[0].Timestamp);
        Assert.Equal(0, _translator.TrackedCount);
    }

    [Fact]
    public void AShortCloseOfAConnectionNeverTrackedReportsNothingAndIsNotRefused()
    {
        // Its connect record was written, but the ledger had no room for it (or it was already closed as inferred):
        // the short record has no identity to open a connection with.
        Decode(TcpCloseShort(13, 5_000, sent: 10, received: 20, durationNs: 1_000));

        Assert.Empty(_events.Events);
        Assert.Equal(0, _decoder.Refused);
        Assert.Equal(0, _translator.TrackedCount);
    }

    [Fact]
    public void AUdpFlowEndsWithItsProcessTakingItsFinalCountersOutOfTheKernelMap()
    {
        NsTask resolver = Task(500, "resolver");
        Decode(UdpFlow(20, 1_000, resolver, Dns));
        Interval(udp: [UdpCounters(20, resolver, Dns, sent: 40, received: 0)]);
        _udpFlows.Flows[20] = UdpCounters(20, resolver, Dns, sent: 120, received: 400);
        Decode(Exit(9_000, resolver));

        Assert.Equal(
            [(ConnectionEventKind.Opened, 0L, 0L, 0L, 0L), (ConnectionEventKind.Traffic, 40L, 0L, 40L, 0L), (ConnectionEventKind.Closed, 120L, 400L, 80L, 400L)],
            _events.Events.Select(e => (e.Kind, e.BytesSent, e.BytesReceived, e.DeltaSent, e.DeltaReceived)));
        Assert.Equal(Transport.Udp, _events.Events[^1].Transport);
        Assert.Empty(_udpFlows.Flows); // taken out of the map, so it cannot be read again
        Assert.Equal(0, _translator.TrackedCount);
    }

    [Fact]
    public void AUdpFlowDrainedAfterItsProcessExitIsClosedAtOnceInsteadOfOutlivingIt()
    {
        NsTask sender = Task(501, "sender");
        _udpFlows.Flows[21] = UdpCounters(21, sender, Dns, sent: 64, received: 0);
        Decode(Exit(9_000, sender));             // reserved later, drained first
        Decode(UdpFlow(21, 8_000, sender, Dns)); // its first datagram, before the exit

        Assert.Equal([ConnectionEventKind.Opened, ConnectionEventKind.Closed], _events.Events.Select(e => e.Kind));
        Assert.Equal((64L, 64L), (_events.Events[^1].BytesSent, _events.Events[^1].UnreportedSent));
        Assert.Equal(0, _translator.TrackedCount);
    }

    [Fact]
    public void AFlowGoneFromItsMapWithoutACloseIsClosedAsInferredAfterTwoMissedReads()
    {
        NsTask curl = Task(4242);
        Decode(TcpConnect(3, 1_000, curl, Web));
        Interval(sockets: [Socket(3, curl, Web, sent: 10, received: 5)]);
        Interval();
        Assert.Equal(1, _translator.TrackedCount); // one miss may be a read racing the insert

        Interval();

        ConnectionEvent closed = _events.Events[^1];
        Assert.Equal((ConnectionEventKind.Closed, true, 10L, 5L), (closed.Kind, closed.CloseInferred, closed.BytesSent, closed.BytesReceived));
        Assert.Equal(0, _translator.TrackedCount);
    }

    [Fact]
    public void AnExecDrainedAfterItsProcessExitIsIgnoredSoAReusedPidIsNotNamedByIt()
    {
        Directory.CreateDirectory(Path.Combine(_proc, "77"));
        File.CreateSymbolicLink(Path.Combine(_proc, "77", "exe"), "/usr/bin/new-program");
        Decode(Exit(2_000, Task(77, "old")));
        Decode(Exec(1_000, Task(77, "old"), "/nonexistent/old-program")); // reserved before the exit, drained after it
        Decode(TcpConnect(4, 3_000, Task(77, "new"), Web));                // the pid, reused

        Assert.Equal("/usr/bin/new-program", Assert.Single(_events.Events).Process.Executable);
    }

    [Fact]
    public void AnExecNamesTheProgramOfItsProcessLaterConnectsAndAnExitedProcessIsForgottenAfterAnInterval()
    {
        Decode(Exec(1_000, Task(88, "tool"), "/nonexistent/tool"));
        Decode(TcpConnect(5, 2_000, Task(88, "tool"), Web));
        Decode(Exit(3_000, Task(88, "tool")));
        Decode(TcpCloseShort(5, 2_500, 0, 0, 500)); // a record still in flight after the exit
        Interval();
        Interval();

        Assert.All(_events.Events, e => Assert.Equal("/nonexistent/tool", e.Process.Executable));
        Decode(TcpConnect(6, 9_000, Task(88, "tool"), Web)); // pid reused without an exec we saw: /proc, here nothing
        Assert.Null(_events.Events[^1].Process.Executable);
    }

    [Fact]
    public void AProcessIsReportedEndedOnceItsGraceIsOverAtItsExitTime()
    {
        const ulong Second = 1_000_000_000;
        Decode(Exit(10 * Second, Task(88, "tool")));
        Decode(Exit((11 * Second) - 1, Task(89, "tool")));
        Assert.Empty(_events.Ended); // within the grace: late records may still come

        Decode(Exit((11 * Second) + 1, Task(90, "tool")));

        Assert.Equal(88, Assert.Single(_events.Ended).Pid);
        Interval();
        Interval(); // the interval bound ends the others
        Assert.Equal([88, 89, 90], _events.Ended.Select(e => e.Pid));
        // Each at its exit's time, on the records' clock.
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromTicks(9_999_999), TimeSpan.FromSeconds(1)], _events.Ended.Select(e => e.ExitedAt - _events.Ended[0].ExitedAt));
    }

    [Fact]
    public void AnExecRecordGivesTheKernelsFileArgumentsAndTruncationMarks()
    {
        // st_dev 259:2 (an NVMe partition) in the kernel's encoding, major << 20 | minor.
        Decode(Exec(1_000, Task(90, "curl"), "/usr/bin/curl", ["curl", "-T", "big file", "https://198.51.100.2/"], inode: 1_573_249, kernelDevice: (259u << 20) | 2));
        Decode(Exec(1_100, Task(91, "x"), "d/chronyd/x", ["x"], flags: NsAbi.ExecPathTruncated | NsAbi.ExecArgsTruncated));
        Decode(TcpConnect(1, 2_000, Task(90, "curl"), Web));
        Decode(TcpConnect(2, 2_100, Task(91, "x"), Web));

        ProcessInfo curl = _events.Events[0].Process;
        Assert.Equal("/usr/bin/curl", curl.Executable);
        Assert.Equal((1_573_249UL, 66_306UL), (curl.ExecutableInode!.Value, curl.ExecutableDevice!.Value)); // what stat -c '%i %d' says
        Assert.Equal(["curl", "-T", "big file", "https://198.51.100.2/"], curl.Args);
        Assert.Equal("curl -T big file https://198.51.100.2/", curl.CommandLine);
        Assert.False(curl.ExecutableTruncated || curl.CommandLineTruncated);

        ProcessInfo cut = _events.Events[1].Process;
        Assert.Equal("…/d/chronyd/x", cut.Executable);
        Assert.True(cut.ExecutableTruncated && cut.CommandLineTruncated);
        Assert.EndsWith("…(truncated)", cut.ProgramKey, StringComparison.Ordinal); // the baseline never learns it as a whole path
    }

    [Fact]
    public void AConnectRecordStampedBeforeAnExecButDrainedAfterItNamesTheProgramBefore()
    {
        // The connect record of a slow handshake is written at ESTABLISHED or a SYN retransmission, stamped with the
        // SYN_SENT time: a process that connected and then exec'd has its exec record drained first.
        Decode(Exec(1_000, Task(92, "bash"), "/usr/bin/bash", ["bash", "-c", "connect; exec sleep 9"]));
        Decode(Exec(3_000, Task(92, "sleep"), "/usr/bin/sleep", ["sleep", "9"]));
        Decode(TcpConnect(1, 2_000, Task(92, "bash"), Web));
        Decode(TcpConnect(2, 4_000, Task(92, "sleep"), Web));

        Assert.Equal(["/usr/bin/bash", "/usr/bin/sleep"], _events.Events.Select(e => e.Process.Executable));
        Assert.Equal("bash -c connect; exec sleep 9", _events.Events[0].Process.CommandLine);
    }

    [Fact]
    public void AChildReparentedBeforeItExecsNamesTheParentThatForkedIt()
    {
        Decode(Exec(1_000, Task(100, "sh") with { Ppid = 50 }, "/usr/bin/dash", ["sh", "-c", "tool &"]));
        Decode(Fork(1_100, Task(100, "sh") with { Ppid = 50 }, childTgid: 101));
        Decode(Exit(1_200, Task(100, "sh") with { Ppid = 50 }));
        Interval();
        Interval(); // sh is forgotten
        Decode(Exec(1_300, Task(101, "tool") with { Ppid = 1 }, "/usr/bin/tool", ["tool"])); // re-parented to init by now
        Decode(TcpConnect(1, 2_000, Task(101, "tool") with { Ppid = 1 }, Web));

        ProcessInfo tool = Assert.Single(_events.Events).Process;
        Assert.Equal(100, tool.ParentPid);
        Assert.Equal((100, "sh", "/usr/bin/dash"), (tool.Ancestry[0].Pid, tool.Ancestry[0].Name, tool.Ancestry[0].Executable));
        Assert.Equal(["tool"], tool.Args);
    }

    [Fact]
    public void AForkedChildThatConnectsBeforeExecRunsItsParentsProgram()
    {
        Decode(Exec(1_000, Task(110, "server"), "/usr/sbin/server", ["server", "--workers", "4"]));
        Decode(Fork(1_100, Task(110, "server"), childTgid: 111));
        Decode(TcpConnect(1, 2_000, Task(111, "server") with { Ppid = 110 }, Web));

        ProcessInfo worker = Assert.Single(_events.Events).Process;
        Assert.Equal(("/usr/sbin/server", "server --workers 4", 110), (worker.Executable, worker.CommandLine, worker.ParentPid));
    }

    [Fact]
    public void ChildrenOfOneParentShareTheirPathNameCommonArgumentsAndAncestryButNotWhatDiffers()
    {
        Decode(Exec(1_000, Task(120, "bash"), "/usr/bin/bash", ["bash", "run.sh"]));
        for (uint child = 121; child <= 123; child++)
        {
            Decode(Fork(child * 10, Task(120, "bash"), childTgid: child));
            Decode(Exec((child * 10) + 1, Task(child, "nsload") with { Ppid = 120 }, "/opt/bench/nsload", ["nsload", "once", "198.51.100.2", $"{child}"]));
            Decode(TcpConnect(child, (child * 10) + 2, Task(child, "nsload") with { Ppid = 120 }, Web));
        }

        ProcessInfo[] children = [.. _events.Events.Select(e => e.Process)];
        Assert.Equal([121, 122, 123], children.Select(c => c.Pid));
        Assert.All(children, c => Assert.Same(children[0].Executable, c.Executable));
        Assert.All(children, c => Assert.Same(children[0].Name, c.Name));
        Assert.All(children, c => Assert.Same(children[0].Args![1], c.Args![1]));
        Assert.All(children, c => Assert.Same(children[0].Ancestry, c.Ancestry));
        Assert.Equal(["121", "122", "123"], children.Select(c => c.Args![3]));
        Assert.Equal(["nsload once 198.51.100.2 121", "nsload once 198.51.100.2 122", "nsload once 198.51.100.2 123"], children.Select(c => c.CommandLine));
        Assert.Equal((120, "/usr/bin/bash"), (children[0].Ancestry[0].Pid, children[0].Ancestry[0].Executable));
    }

    [Fact]
    public void ASiblingForkedAfterItsParentOrGrandparentExecdAgainHasTheNewChainNotTheSharedOne()
    {
        Decode(Exec(900, Task(129, "init-ish") with { Ppid = 1 }, "/usr/sbin/supervisor", ["supervisor"]));
        Decode(Exec(1_000, Task(130, "sh") with { Ppid = 129 }, "/usr/bin/dash", ["sh"]));
        Decode(Fork(1_100, Task(130, "sh") with { Ppid = 129 }, childTgid: 131));
        Decode(Exec(1_200, Task(130, "python3") with { Ppid = 129 }, "/usr/bin/python3", ["python3"])); // the parent execs
        Decode(Fork(1_300, Task(130, "python3") with { Ppid = 129 }, childTgid: 132));
        Decode(Exec(1_400, Task(129, "init-ish") with { Ppid = 1 }, "/usr/sbin/supervisor2", ["supervisor2"])); // the grandparent
        Decode(Fork(1_500, Task(130, "python3") with { Ppid = 129 }, childTgid: 133));
        Decode(Fork(1_600, Task(130, "python3") with { Ppid = 129 }, childTgid: 134));
        foreach (uint child in new uint[] { 131, 132, 133, 134 })
            Decode(TcpConnect(child, 2_000 + child, Task(child, "x") with { Ppid = 130 }, Web));

        ProcessInfo[] children = [.. _events.Events.Select(e => e.Process)];
        Assert.Equal(
            ["/usr/bin/dash /usr/sbin/supervisor", "/usr/bin/python3 /usr/sbin/supervisor", "/usr/bin/python3 /usr/sbin/supervisor2", "/usr/bin/python3 /usr/sbin/supervisor2"],
            children.Select(c => $"{c.Ancestry[0].Executable} {c.Ancestry[1].Executable}"));
        Assert.Same(children[2].Ancestry, children[3].Ancestry);
        Assert.Same(children[1].Ancestry[0], children[2].Ancestry[0]); // the parent's summary is one object
    }

    [Fact]
    public void AnExecRecordShorterThanItsArgumentLengthIsReadOnlyAsFarAsItGoes()
    {
        byte[] record = Exec(1_000, Task(93, "tool"), "/usr/bin/tool", ["tool", "--flag"]);
        Decode(record[..^3]); // args_len says 12 bytes ("tool\0--flag\0"); 9 arrived
        Decode(TcpConnect(1, 2_000, Task(93, "tool"), Web));

        Assert.Equal(["tool", "--fl"], _events.Events[0].Process.Args);
    }

    [Fact]
    public void ARecordOfAnotherAbiVersionIsRefusedAndCounted()
    {
        byte[] record = TcpConnect(1, 1_000, Task(1), Web);
        BitConverter.TryWriteBytes(record.AsSpan(12), NsAbi.Version + 1); // header.abi_version

        Decode(record);

        Assert.Empty(_events.Events);
        Assert.Equal((1L, 1L), (_decoder.WrongAbiRecords, _decoder.Refused));
    }

    [Fact]
    public void ShortRecordsAndUnknownKindsAreRefusedAndCountedNeverOverRead()
    {
        byte[] open = TcpConnect(1, 1_000, Task(1), Web);
        Decode(open.AsSpan(0, 8).ToArray());              // not even a header
        Decode(open.AsSpan(0, open.Length - 1).ToArray()); // a header, but not a whole open event
        byte[] unknown = Bytes(Header(kind: 99, timestampNs: 1));
        Decode(unknown);
        Decode(Bytes(Header(kind: 0, timestampNs: 1)));    // below the first kind
        Decode(open);
        byte[] close = TcpCloseShort(1, 2_000, sent: 1, received: 1, durationNs: 1_000);
        Decode(close.AsSpan(0, close.Length - 1).ToArray()); // a header, but not a whole short close

        Assert.Equal([ConnectionEventKind.Opened], _events.Events.Select(e => e.Kind));
        Assert.Equal((3L, 2L, 5L), (_decoder.ShortRecords, _decoder.UnknownKinds, _decoder.Refused));
    }

    [Fact]
    public void ADualStackSocketTalkingIpv4IsReportedWithIpv4AddressesOnce()
    {
        Decode(TcpConnect(7, 1_000, Task(9), Ends("::ffff:198.51.100.1", 40001, "::ffff:198.51.100.9", 80)));

        ConnectionEvent opened = Assert.Single(_events.Events);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.9"), 80), opened.Remote);
        Assert.Equal(IPAddress.Parse("198.51.100.1"), opened.Local.Address);
    }

    private void Decode(byte[] record) => _decoder.Decode(record, _events);

    private void Interval(NsSockState[]? sockets = null, NsUdpFlow[]? udp = null)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        _translator.BeginCounters();
        foreach (NsSockState state in sockets ?? []) _translator.OnSocketCounters(state, now, _events);
        foreach (NsUdpFlow flow in udp ?? []) _translator.OnUdpCounters(flow, now, _events);
        _translator.EndCounters(now, _events);
    }

    /// <summary>Whatever a test fed in, the stream kept the ordering promise.</summary>
    public void Dispose()
    {
        Directory.Delete(_proc, recursive: true);
        FlowStreamContract.AssertHeld(_events.Events);
    }
}
