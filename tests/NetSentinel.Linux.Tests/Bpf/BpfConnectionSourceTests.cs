using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Bpf.Native;
using NetSentinel.Tests.Shared;
using Xunit.Abstractions;
using NetSentinel.Core.Native;

namespace NetSentinel.Linux.Tests.Bpf;

[Collection(BpfTestCollection.Name)]
public class BpfConnectionSourceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    [RootFact]
    public void APrivilegedProcessPassesThePrivilegeCheck() => Assert.Null(BpfConnectionSource.CheckPrivilege());

    [RootFact]
    public void StartupNotesNameTheLiveHooks()
    {
        using var source = BpfConnectionSource.Start();
        Assert.Equal("ebpf", source.Name);
        Assert.Contains(source.StartupNotes, n => n.StartsWith("ebpf: hooks live: tp_btf (inet_sock_set_state, ", StringComparison.Ordinal));
        Assert.Contains(source.StartupNotes, n => n.StartsWith("ebpf: UDP and DNS hooks live: cgroup/recvmsg4, cgroup/recvmsg6 on ", StringComparison.Ordinal)
            && n.EndsWith("; unconnected sends' destinations read from the call in sock_send_length; DNS messages copied in sock_send_length/sock_recv_length from the buffers of sockets that sent to port 53 (no per-packet program)", StringComparison.Ordinal));
    }

    [RootFact]
    public void AProcessThatConnectsAndExitsAtOnceHasItsPidAndExecutable()
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        var target = (IPEndPoint)listener.LocalEndPoint!;
        using var source = BpfConnectionSource.Start();
        var recorder = new EventRecorder();

        // bash opens the connection and exits within milliseconds; we read the ring buffer only afterwards.
        using var bash = Process.Start(new ProcessStartInfo("/bin/bash", ["-c", $"exec 3<>/dev/tcp/{target.Address}/{target.Port}"]))!;
        Assert.True(bash.WaitForExit(5000));
        Assert.Equal(0, bash.ExitCode);
        int pid = bash.Id;

        Assert.True(recorder.PumpUntil(source, () => recorder.Events.Any(e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target)), s_timeout));
        ConnectionEvent opened = Assert.Single(recorder.Events, e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target));
        Assert.Equal(pid, opened.Process.Pid);
        Assert.Equal(LibC.RealPath("/bin/bash"), opened.Process.Executable);
        Assert.Equal("bash", opened.Process.Name);
        Assert.Equal(Environment.ProcessId, opened.Process.ParentPid);
        Assert.Equal(0, opened.Process.Uid);
        Assert.Equal(AttributionSource.Kernel, opened.Process.IdentifiedBy);
        Assert.Equal(Transport.Tcp, opened.Transport);
        Assert.Equal(net.HostV4, opened.Local.Address);
        ConnectionEvent closed = Assert.Single(recorder.Events, e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target));
        Assert.Equal(opened.ConnectionId, closed.ConnectionId);
        Assert.False(closed.Failed);
        Assert.NotEqual(0, closed.Local.Port);
    }

    [RootFact]
    public void TwentyMegabytesUploadedAndDownloadedAreCountedToTheByte()
    {
        const int Size = 20 * 1024 * 1024;
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        var target = (IPEndPoint)listener.LocalEndPoint!;
        using var source = BpfConnectionSource.Start();
        var recorder = new EventRecorder();

        var server = Task.Run(() =>
        {
            var buffer = new byte[1 << 16];
            long received = 0;
            using (Socket upload = listener.Accept())
            {
                for (int n; (n = upload.Receive(buffer)) > 0;) received += n;
            }
            using Socket download = listener.Accept();
            for (int sent = 0; sent < Size; sent += buffer.Length) download.Send(buffer);
            download.Shutdown(SocketShutdown.Send);
            return received;
        });
        long downloaded = 0;
        var client = Task.Run(() =>
        {
            var chunk = new byte[1 << 16];
            using (var up = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                up.Connect(target);
                for (int sent = 0; sent < Size; sent += chunk.Length) up.Send(chunk);
                up.Shutdown(SocketShutdown.Send);
                up.Receive(chunk); // waits for the server's close so the upload is fully delivered
            }
            using var down = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            down.Connect(target);
            for (int n; (n = down.Receive(chunk)) > 0;) downloaded += n;
        });

        Assert.True(recorder.PumpUntil(source, () => client.IsCompleted && server.IsCompleted
            && recorder.Events.Count(e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target)) == 2, TimeSpan.FromSeconds(60)));
        client.GetAwaiter().GetResult();
        Assert.Equal(Size, server.Result);
        Assert.Equal(Size, downloaded);

        var closes = recorder.Events.Where(e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target)).ToList();
        ConnectionEvent upClose = closes[0], downClose = closes[1];
        Assert.Equal(Size, upClose.BytesSent);
        Assert.Equal(0, upClose.BytesReceived);
        Assert.Equal(0, downClose.BytesSent);
        Assert.Equal(Size, downClose.BytesReceived);
        foreach (ConnectionEvent close in closes)
        {
            var events = recorder.Events.Where(e => e.ConnectionId == close.ConnectionId).ToList();
            Assert.Equal(close.BytesSent, events.Sum(e => e.DeltaSent));     // deltas and the close's remainder sum to the lifetime totals
            Assert.Equal(close.BytesReceived, events.Sum(e => e.DeltaReceived));
            Assert.Equal(Environment.ProcessId, close.Process.Pid);
            Assert.True(close.Duration > TimeSpan.Zero);
        }
    }

    /// <summary>
    /// A client that half-closes, then reads the answer only after the server's FIN has arrived: its socket went to
    /// TIME_WAIT (the kernel's CLOSE transition) with the answer still queued, before any read — bytes counted per
    /// read alone would miss it. And a client that closes without reading the answer at all: the bytes arrived.
    /// </summary>
    [RootFact]
    public void AnAnswerThatArrivedBeforeTheCloseIsCountedWhetherReadAfterOrNever()
    {
        AnswerArrivedBeforeTheClose(BpfHookVariant.TpBtf);
        AnswerArrivedBeforeTheClose(BpfHookVariant.RawTp);
    }

    private static void AnswerArrivedBeforeTheClose(BpfHookVariant variant)
    {
        const int Request = 208, Answer = 600;
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        var target = (IPEndPoint)listener.LocalEndPoint!;
        using var source = BpfConnectionSource.Start(variant);
        var recorder = new EventRecorder();
        var server = Task.Run(() =>
        {
            var buffer = new byte[4096];
            for (int i = 0; i < 2; i++)
            {
                using Socket accepted = listener.Accept();
                while (accepted.Receive(buffer) > 0) { }
                accepted.Send(new byte[Answer]);
            }
        });
        var ports = new List<int>();
        foreach (bool readsTheAnswer in new[] { true, false })
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(target);
            ports.Add(((IPEndPoint)client.LocalEndPoint!).Port);
            client.Send(new byte[Request]);
            client.Shutdown(SocketShutdown.Send);
            Thread.Sleep(300); // the answer and the FIN arrive: TIME_WAIT, with the answer unread
            if (readsTheAnswer)
            {
                var buffer = new byte[4096];
                int read = 0;
                for (int n; (n = client.Receive(buffer)) > 0;) read += n;
                Assert.Equal(Answer, read);
            }
        }
        Assert.True(server.Wait(5000));

        Assert.True(recorder.PumpUntil(source, () => recorder.Events.Count(e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target)) == 2, s_timeout));
        foreach (int port in ports)
        {
            ConnectionEvent closed = Assert.Single(recorder.Events, e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target) && e.Local.Port == port);
            Assert.Equal((Request, Answer), (closed.BytesSent, closed.BytesReceived));
            var events = recorder.Events.Where(e => e.ConnectionId == closed.ConnectionId).ToList();
            Assert.Equal(Answer, events.Sum(e => e.DeltaReceived)); // deltas and the close's remainder sum to the lifetime totals
        }
    }

    [RootFact]
    public void Ipv6TcpIsSeenWithItsBytes()
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV6);
        var target = (IPEndPoint)listener.LocalEndPoint!;
        using var source = BpfConnectionSource.Start();
        var recorder = new EventRecorder();
        var server = Task.Run(() =>
        {
            using Socket accepted = listener.Accept();
            var buffer = new byte[4096];
            while (accepted.Receive(buffer) > 0) { }
        });
        using (var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp))
        {
            client.Connect(target);
            client.Send(new byte[1234]);
            client.Shutdown(SocketShutdown.Send);
            Assert.True(server.Wait(5000));
        }

        Assert.True(recorder.PumpUntil(source, () => recorder.Events.Any(e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target)), s_timeout));
        ConnectionEvent closed = Assert.Single(recorder.Events, e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target));
        Assert.Equal(1234, closed.BytesSent);
        Assert.Equal(net.HostV6, closed.Local.Address);
        Assert.NotEqual(0, closed.Local.Port);
        Assert.Equal(Environment.ProcessId, closed.Process.Pid);
        Assert.Single(recorder.Events, e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target));
    }

    [RootFact]
    public void AConnectToAClosedPortIsReportedAsFailed()
    {
        using var net = new TestNetwork();
        var target = new IPEndPoint(net.PeerV4, 9); // nothing listens: the test host answers with RST
        using var source = BpfConnectionSource.Start();
        var recorder = new EventRecorder();
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            var error = Assert.Throws<SocketException>(() => client.Connect(target));
            Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
        }

        Assert.True(recorder.PumpUntil(source, () => recorder.Events.Any(e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target)), s_timeout));
        Assert.Single(recorder.Events, e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target));
        ConnectionEvent closed = Assert.Single(recorder.Events, e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target));
        Assert.True(closed.Failed);
        Assert.Equal(0, closed.BytesSent);
        Assert.Equal(Environment.ProcessId, closed.Process.Pid);
    }

    [RootFact]
    public void UdpDatagramsMakeOneFlowPerDestinationOverIpv4AndIpv6()
    {
        using var net = new TestNetwork();
        using var source = BpfConnectionSource.Start();
        var recorder = new EventRecorder();
        var targets = new List<IPEndPoint>();
        foreach (IPAddress peer in new[] { net.PeerV4, net.PeerV6 })
        {
            using Socket server = net.BindUdp(peer);
            var target = (IPEndPoint)server.LocalEndPoint!;
            targets.Add(target);
            using var unconnected = new Socket(peer.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            for (int i = 0; i < 10; i++) unconnected.SendTo(new byte[100], target);
            // A connected socket of the same process to the same destination belongs to the same flow.
            using var connected = new Socket(peer.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            connected.Connect(target);
            for (int i = 0; i < 5; i++) connected.Send(new byte[50]);
        }

        Assert.True(recorder.PumpUntil(source, () => targets.All(t =>
            recorder.Events.Where(e => e.Kind == ConnectionEventKind.Traffic && e.Remote.Equals(t)).Sum(e => e.BytesSent) >= 1250), s_timeout));
        foreach (IPEndPoint target in targets)
        {
            ConnectionEvent opened = Assert.Single(recorder.Events, e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target));
            Assert.Equal(Transport.Udp, opened.Transport);
            Assert.Equal(Environment.ProcessId, opened.Process.Pid);
            Assert.Equal(AttributionSource.Kernel, opened.Process.IdentifiedBy);
            Assert.Equal(1250, recorder.Events.Where(e => e.Kind == ConnectionEventKind.Traffic && e.ConnectionId == opened.ConnectionId).Sum(e => e.BytesSent));
        }
    }

    [RootFact]
    public void ABurstOfTenThousandConnectsIsSeenWhole()
    {
        const int Count = 10_000;
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4, backlog: 4096);
        var target = (IPEndPoint)listener.LocalEndPoint!;
        using var source = BpfConnectionSource.Start();
        long lostBefore = source.EventsLost;
        var recorder = new EventRecorder();
        using var stop = new CancellationTokenSource();
        var acceptor = Task.Run(() =>
        {
            for (int i = 0; i < Count && !stop.IsCancellationRequested; i++)
                listener.Accept().Dispose();
        });
        var clock = Stopwatch.StartNew();
        var connector = Task.Run(() =>
        {
            for (int i = 0; i < Count; i++)
            {
                using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                client.LingerState = new LingerOption(true, 0); // RST on close: no TIME_WAIT, so 10,000 local ports are not tied up
                client.Connect(target);
            }
        });

        int Seen(ConnectionEventKind kind) => recorder.Events.Count(e => e.Kind == kind && e.Remote.Equals(target));
        bool complete = recorder.PumpUntil(source, () => connector.IsCompleted && Seen(ConnectionEventKind.Closed) == Count, TimeSpan.FromSeconds(90));
        stop.Cancel();
        connector.GetAwaiter().GetResult();
        Assert.True(complete, $"after {clock.Elapsed}: opened {Seen(ConnectionEventKind.Opened)}, closed {Seen(ConnectionEventKind.Closed)}");
        Assert.Equal(Count, Seen(ConnectionEventKind.Opened));
        Assert.Equal(Count, recorder.Events.Where(e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target)).Select(e => e.ConnectionId).Distinct().Count());
        Assert.DoesNotContain(recorder.Events, e => e.Remote.Equals(target) && e.Failed);
        Assert.Equal(lostBefore, source.EventsLost);
        output.WriteLine($"{Count} connects observed in {clock.Elapsed.TotalMilliseconds:F0} ms, lost {source.EventsLost - lostBefore}");
        Assert.Equal(0, source.TrackedCount - recorder.Events.Count(e => e.Kind == ConnectionEventKind.Opened) + recorder.Events.Count(e => e.Kind == ConnectionEventKind.Closed));
    }

    [RootFact]
    public void AfterDisposeNoneOfOurProgramsRemain()
    {
        HashSet<int> before = OurProgramIds();
        var source = BpfConnectionSource.Start();
        var ours = OurProgramIds();
        ours.ExceptWith(before);
        // Other tests and engineers load ns_* programs on this machine at the same time: count only the ones this process holds.
        ours.IntersectWith(ProgramIdsHeldByThisProcess());
        source.Dispose();
        Assert.Equal(9, ours.Count); // 7 tracepoint hooks, 2 UDP recvmsg (tp_btf reads sendto's destination and DNS messages in its send/recv hooks)

        // The kernel frees a detached program asynchronously (RCU): give it a bounded moment.
        var clock = Stopwatch.StartNew();
        HashSet<int> remaining;
        do
        {
            remaining = OurProgramIds();
            remaining.IntersectWith(ours);
        } while (remaining.Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(5) && Sleep(50));
        Assert.Empty(remaining);
    }

    private static bool Sleep(int ms)
    {
        Thread.Sleep(ms);
        return true;
    }

    /// <summary>Ids of the BPF programs this process holds a descriptor of (the <c>prog_id:</c> line of /proc/self/fdinfo).</summary>
    private static HashSet<int> ProgramIdsHeldByThisProcess()
    {
        var ids = new HashSet<int>();
        foreach (string info in Directory.EnumerateFiles("/proc/self/fdinfo"))
        {
            string text;
            try { text = File.ReadAllText(info); }
            catch (IOException) { continue; } // a descriptor closed meanwhile
            foreach (string line in text.Split('\n'))
                if (line.StartsWith("prog_id:", StringComparison.Ordinal)) ids.Add(int.Parse(line["prog_id:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture));
        }
        return ids;
    }

    /// <summary>Ids of loaded programs named ns_* (`bpftool prog list` lines read "ID: type  name NAME  tag ...").</summary>
    private static HashSet<int> OurProgramIds()
    {
        var (exit, output) = BpfAbiTests.Run("bpftool", "prog list");
        Assert.Equal(0, exit);
        return output.Split('\n')
            .Where(line => line.Contains(" name ns_", StringComparison.Ordinal) && line.Contains(':'))
            .Select(line => int.Parse(line[..line.IndexOf(':')], System.Globalization.CultureInfo.InvariantCulture))
            .ToHashSet();
    }
}
