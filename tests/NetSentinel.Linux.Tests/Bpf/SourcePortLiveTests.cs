using System.Diagnostics;
using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Bpf;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>The local port on connect records and on connects that never completed, on the real eBPF source.</summary>
[Collection(BpfTestCollection.Name)]
public class SourcePortLiveTests
{
    /// <summary>Its port is read from inet_sport at the close: a plain load in tp_btf, a probe read in raw_tp.</summary>
    [RootFact]
    public void ARefusedConnectCarriesTheLocalPortTheKernelChose()
    {
        RefusedConnectCarriesItsPort(BpfHookVariant.TpBtf);
        RefusedConnectCarriesItsPort(BpfHookVariant.RawTp);
    }

    private static void RefusedConnectCarriesItsPort(BpfHookVariant variant)
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        int closedPort = ((IPEndPoint)listener.LocalEndPoint!).Port;
        listener.Close(); // nothing listens there now: the peer answers the SYN with a reset
        var target = new IPEndPoint(net.PeerV4, closedPort);
        using var source = BpfConnectionSource.Start(variant);
        Assert.Same(variant, source.HookVariant);
        var recorder = new EventRecorder();

        using var bash = Process.Start(new ProcessStartInfo("/bin/bash", ["-c", $"exec 3<>/dev/tcp/{target.Address}/{target.Port}"]) { RedirectStandardError = true })!;
        Assert.True(bash.WaitForExit(10_000));
        Assert.NotEqual(0, bash.ExitCode);

        Assert.True(recorder.PumpUntil(source, () => recorder.Events.Any(e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target)), TimeSpan.FromSeconds(20)));
        ConnectionEvent failed = recorder.Events.Single(e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target));
        Assert.True(failed.Failed);
        Assert.InRange(failed.Local.Port, 1, 65535);
        Assert.Equal(net.HostV4, failed.Local.Address);
    }

    [RootFact]
    public void AnOpenedConnectionCarriesItsLocalPort()
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        var target = (IPEndPoint)listener.LocalEndPoint!;
        using var source = BpfConnectionSource.Start();
        var recorder = new EventRecorder();

        using var client = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        client.Connect(target);
        int localPort = ((IPEndPoint)client.LocalEndPoint!).Port;

        Assert.True(recorder.PumpUntil(source, () => recorder.Events.Any(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target)), TimeSpan.FromSeconds(20)));
        ConnectionEvent opened = recorder.Events.Single(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target));
        Assert.Equal(localPort, opened.Local.Port);
        Assert.Equal(net.HostV4, opened.Local.Address);
        Assert.Equal(Environment.ProcessId, opened.Process.Pid);
    }

    /// <summary>
    /// A SYN nobody answers (the peer's replies go to a blackhole route): the connect record is written at the first
    /// retransmission, about a second after the SYN, with the port, while the connect is still waiting.
    /// </summary>
    [RootFact]
    public void AConnectStillWaitingForAnAnswerIsOpenedWithItsLocalPort()
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        var target = (IPEndPoint)listener.LocalEndPoint!;
        TestNetwork.Run("ip", $"-n {net.Namespace} route add blackhole {net.HostV4}/32");
        using var source = BpfConnectionSource.Start();
        var recorder = new EventRecorder();

        using var client = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var connecting = client.ConnectAsync(target, cancel.Token).AsTask();

        Assert.True(recorder.PumpUntil(source, () => recorder.Events.Any(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target)), TimeSpan.FromSeconds(10)));
        Assert.False(connecting.IsCompleted, "the connect was answered: the blackhole route did not hold the SYN-ACK back");
        ConnectionEvent opened = recorder.Events.Single(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target));
        Assert.DoesNotContain(recorder.Events, e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target));
        Assert.InRange(opened.Local.Port, 1, 65535);

        // Given up: a failed close of the same connection (the short close record: its port is the connect record's).
        cancel.Cancel();
        client.Dispose();
        Assert.True(recorder.PumpUntil(source, () => recorder.Events.Any(e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target)), TimeSpan.FromSeconds(10)));
        ConnectionEvent failed = recorder.Events.Single(e => e.Kind == ConnectionEventKind.Closed && e.Remote.Equals(target));
        Assert.True(failed.Failed);
        Assert.Equal(failed.Local.Port, opened.Local.Port);
    }
}
