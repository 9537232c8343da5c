using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Bpf.Native;
using NetSentinel.Tests.Shared;
using Xunit.Abstractions;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>The tp_btf hooks are preferred, raw_tp is the fallback, and both report the same events.</summary>
[Collection(BpfTestCollection.Name)]
public class BpfHookVariantTests(ITestOutputHelper output)
{
    [Fact]
    public void TheVariantsArePreferredInOrderAndTheEnvironmentCanPinOne()
    {
        Assert.Equal(["tp_btf", "raw_tp"], BpfHookVariant.ByPreference.Select(v => v.Name));
        Assert.Same(BpfHookVariant.ByPreference, BpfHookVariant.Candidates(null));
        Assert.Same(BpfHookVariant.ByPreference, BpfHookVariant.Candidates(" "));
        Assert.Equal([BpfHookVariant.RawTp], BpfHookVariant.Candidates("raw_tp"));
        Assert.Equal([BpfHookVariant.TpBtf], BpfHookVariant.Candidates(" TP_BTF "));
        Assert.Null(BpfHookVariant.Candidates("fentry"));
        Assert.Contains("ns_tcp_state_raw", BpfHookVariant.RawTp.Programs);
        Assert.Contains("ns_tcp_state", BpfHookVariant.TpBtf.Programs);
    }

    [RootFact]
    public void ThisKernelLoadsTheTpBtfVariantAndTheStartupNoteSaysSo()
    {
        using var source = BpfConnectionSource.Start();
        Assert.Same(BpfHookVariant.TpBtf, source.HookVariant);
        Assert.Contains(source.StartupNotes, n => n == "ebpf: hooks live: tp_btf (inet_sock_set_state, tcp_retransmit_skb, sock_send_length, sock_recv_length, sched_process_fork, sched_process_exec, sched_process_exit)");
        Assert.DoesNotContain(source.StartupNotes, n => n.Contains("unavailable", StringComparison.Ordinal));
    }

    [RootFact]
    public void WhenAVariantCannotLoadTheLoaderFallsBackAndSaysWhy()
    {
        // A variant whose programs are not in the object fails like a kernel refusing them would: at load or attach.
        var broken = new BpfHookVariant("tp_btf", "_absent");
        using var tracer = KernelTracer.Start(KernelTracer.LoadEmbeddedObject(), [broken, BpfHookVariant.RawTp]);
        Assert.Same(BpfHookVariant.RawTp, tracer.Variant);
        Assert.Contains(tracer.Notes, n => n.StartsWith("ebpf: hooks live: raw_tp (", StringComparison.Ordinal));
        Assert.Contains(tracer.Notes, n => n.StartsWith("ebpf: preferred hooks unavailable: ", StringComparison.Ordinal) && n.Contains("ns_tcp_state_absent", StringComparison.Ordinal));
    }

    [RootFact]
    public void BothVariantsReportTheSameEvents()
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        var tcpTarget = (IPEndPoint)listener.LocalEndPoint!;
        using Socket udpServer = net.BindUdp(net.PeerV6);
        var udpTarget = (IPEndPoint)udpServer.LocalEndPoint!;
        var refused = new IPEndPoint(net.PeerV4, 9);

        List<string> withBtf = Observe(BpfHookVariant.TpBtf, listener, tcpTarget, udpTarget, refused);
        List<string> withRaw = Observe(BpfHookVariant.RawTp, listener, tcpTarget, udpTarget, refused);
        foreach (string line in withBtf) output.WriteLine(line);
        Assert.Equal(5, withBtf.Count); // tcp opened + closed, refused opened + closed, udp opened
        Assert.Equal(withBtf, withRaw);
    }

    /// <summary>
    /// Runs one workload under <paramref name="variant"/>: bash execs, connects, sends 11 bytes and exits;
    /// this process sends 3 datagrams over IPv6 and makes a refused connect. Returns what the events say,
    /// with what differs between runs (pids, local ports, times, ids) replaced by how it relates to the run.
    /// </summary>
    private static List<string> Observe(BpfHookVariant variant, Socket listener, IPEndPoint tcpTarget, IPEndPoint udpTarget, IPEndPoint refused)
    {
        using var source = BpfConnectionSource.Start(variant);
        Assert.Same(variant, source.HookVariant);
        var recorder = new EventRecorder();
        var server = Task.Run(() =>
        {
            using Socket accepted = listener.Accept();
            var buffer = new byte[64];
            int total = 0;
            for (int n; (n = accepted.Receive(buffer)) > 0;) total += n;
            return total;
        });
        using var bash = Process.Start(new ProcessStartInfo("/bin/bash",
            ["-c", $"exec 3<>/dev/tcp/{tcpTarget.Address}/{tcpTarget.Port}; printf 'hello world' >&3; exec 3>&-"]))!;
        Assert.True(bash.WaitForExit(5000));
        Assert.Equal(0, bash.ExitCode);
        Assert.True(server.Wait(5000));
        Assert.Equal(11, server.Result);
        using (var udp = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp))
            for (int i = 0; i < 3; i++) udp.SendTo(new byte[40], udpTarget);
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            Assert.Throws<SocketException>(() => client.Connect(refused));

        bool Mine(ConnectionEvent e) => e.Remote.Equals(tcpTarget) || e.Remote.Equals(udpTarget) || e.Remote.Equals(refused);
        Assert.True(recorder.PumpUntil(source, () =>
            recorder.Events.Count(e => e.Kind == ConnectionEventKind.Closed && Mine(e)) == 2
            && recorder.Events.Where(e => e.Remote.Equals(udpTarget)).Sum(e => e.DeltaSent) == 120,
            TimeSpan.FromSeconds(20)));

        string Who(ProcessInfo p) =>
            p.Pid == bash.Id ? $"bash child of us ppid={(p.ParentPid == Environment.ProcessId ? "us" : p.ParentPid.ToString())} exe={p.Executable} uid={p.Uid}"
            : p.Pid == Environment.ProcessId ? $"this process uid={p.Uid}"
            : $"other pid {p.Pid}";
        return recorder.Events
            .Where(e => Mine(e) && e.Kind is ConnectionEventKind.Opened or ConnectionEventKind.Closed)
            .Select(e => $"{e.Kind} {e.Transport} {e.Local.Address} -> {e.Remote} sent={e.BytesSent} received={e.BytesReceived} failed={e.Failed} by {e.Process.Name}, {Who(e.Process)} via {e.Process.IdentifiedBy}")
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
