using System.Net;
using System.Runtime.InteropServices;
using NetSentinel.Core.Model;
using NetSentinel.Core.Sources;
using NetSentinel.Windows.Etw;
using NetSentinel.Windows.IpHelper;

namespace NetSentinel.Windows.Tests.Etw;

/// <summary>The session's lifecycle around the mapper: start failures, the start-up snapshot's timing, a stop from outside, lost events.</summary>
public class EtwConnectionSourceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private readonly FakeProcessInfoResolver _processes = new((200, @"C:\Tools\curl.exe"));

    private EtwConnectionSource Source(FakeKernelSession session, IConnectionSnapshotProvider? snapshot = null, int queueCapacity = 16) =>
        new(TimeProvider.System, session, _processes, snapshot ?? new RecordingSnapshot(session), _ => false, queueCapacity);

    [Fact]
    public void AFailedStartLeavesNoSessionBehind()
    {
        var session = new FakeKernelSession { StartFailure = new EtwSessionException("cannot start the kernel ETW session: Call not implemented.") };

        var error = Assert.Throws<EtwSessionException>(() => Source(session));

        Assert.Contains("Call not implemented", error.Message);
        Assert.True(session.Disposed);
    }

    [Fact]
    public void TheStartupSnapshotIsTakenOnceTheSessionRuns()
    {
        var session = new FakeKernelSession();
        var snapshot = new RecordingSnapshot(session);

        using var source = Source(session, snapshot);

        Assert.Equal([true], snapshot.SessionStartedAtCapture);
    }

    [Fact]
    public void AnUnreadableSnapshotIsANoteNotAFailure()
    {
        var session = new FakeKernelSession();
        using var source = Source(session, new RecordingSnapshot(session) { Failure = new IpHelperTableFormatException("no IP Helper table could be read") });

        Assert.Contains(source.StartupNotes, note => note.Contains("could not read existing connections"));
        Assert.False(session.Disposed);
    }

    [Fact]
    public void RecordsFlowFromTheSessionThroughPump()
    {
        var session = new FakeKernelSession();
        using var source = Source(session);
        var sink = new CollectingSink();

        session.Deliver(new EtwNetworkRecord(EtwNetworkOpcode.Connect, Transport.Tcp, 200, 0, IPAddress.Parse("198.51.100.1"), 50000, IPAddress.Parse("198.51.100.9"), 443, T0));
        source.Pump(sink, TimeSpan.FromSeconds(5));

        var opened = Assert.Single(sink.Events);
        Assert.Equal((ConnectionEventKind.Opened, 200, "curl.exe"), (opened.Kind, opened.Process.Pid, opened.Process.Name));
    }

    [Fact]
    public void ASessionStoppedFromOutsideFailsThePumpPromptly()
    {
        var session = new FakeKernelSession();
        using var source = Source(session);
        var sink = new CollectingSink();
        source.Pump(sink, TimeSpan.Zero); // running: nothing to report

        session.StopFromOutside();
        var started = DateTime.UtcNow;
        var error = Assert.Throws<EtwSessionException>(() => source.Pump(sink, TimeSpan.FromSeconds(30)));

        Assert.Contains("\"net-sentinel-test\" was stopped from outside", error.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the waiting Pump is woken, not left to its timeout");
        Assert.Throws<EtwSessionException>(() => source.Pump(sink, TimeSpan.Zero)); // and it stays failed
    }

    [Fact]
    public void DisposingIsNotAFailure()
    {
        var session = new FakeKernelSession();
        var source = Source(session);

        source.Dispose();

        Assert.True(session.Disposed);
        Assert.Equal(0, source.EventsLost);
    }

    [Fact]
    public void LostEventsAreTheSessionsCounterPlusQueueDropsAndNeverDecrease()
    {
        var session = new FakeKernelSession { Lost = 7 };
        using var source = Source(session, queueCapacity: 1);
        var record = new EtwNetworkRecord(EtwNetworkOpcode.Send, Transport.Tcp, 200, 10, IPAddress.Parse("198.51.100.1"), 50000, IPAddress.Parse("198.51.100.9"), 443, T0);
        session.Deliver(record);
        session.Deliver(record); // the queue holds one: dropped and counted

        Assert.Equal(7 + 1, source.EventsLost);

        session.Lost = 9;
        Assert.Equal(9 + 1, source.EventsLost);
        session.LostUnavailable = true; // the session is gone: its last figure stands
        Assert.Equal(9 + 1, source.EventsLost);
        session.LostUnavailable = false;
        session.Lost = 0; // a counter that reset with a new session
        Assert.Equal(9 + 1, source.EventsLost);
    }

    [Fact]
    public void StartFailuresSayWhatToDo()
    {
        var existing = EtwStartFailure.Explain(new COMException("Cannot create a file when that file already exists.", EtwStartFailure.AlreadyExistsHResult), "net-sentinel-tcpip");
        Assert.Contains("another net-sentinel is monitoring this host", existing.Message);
        Assert.Contains("logman stop net-sentinel-tcpip -ets", existing.Message);
        Assert.True(EtwStartFailure.IsAlreadyRunning(existing.InnerException!));

        Assert.Equal(EtwStartFailure.NotElevatedMessage, EtwStartFailure.Explain(new UnauthorizedAccessException("Access Denied"), "x").Message);

        var other = EtwStartFailure.Explain(new COMException("Call not implemented.", unchecked((int)0x80070078)), "x");
        Assert.Equal("cannot start the kernel ETW session: Call not implemented.", other.Message);
        Assert.False(EtwStartFailure.IsAlreadyRunning(other.InnerException!));
    }

    /// <summary>Returns no connections, or fails; remembers whether the session was already running when asked.</summary>
    private sealed class RecordingSnapshot(FakeKernelSession session) : IConnectionSnapshotProvider
    {
        public List<bool> SessionStartedAtCapture { get; } = new();

        public Exception? Failure { get; init; }

        public string? DegradedReason => null;

        public IReadOnlyList<ConnectionRecord> Capture()
        {
            SessionStartedAtCapture.Add(session.Started);
            if (Failure is not null) throw Failure;
            return [];
        }
    }
}
