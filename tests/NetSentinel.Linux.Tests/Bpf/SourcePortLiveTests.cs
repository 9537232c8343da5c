using System.Diagnostics;
using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Bpf;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>The local port of connects that never completed, on the real eBPF source.</summary>
[Collection(BpfTestCollection.Name)]
public class SourcePortLiveTests
{
    [RootFact]
    public void ARefusedConnectCarriesTheLocalPortTheKernelChose()
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        int closedPort = ((IPEndPoint)listener.LocalEndPoint!).Port;
        listener.Close(); // nothing listens there now: the peer answers the SYN with a reset
        var target = new IPEndPoint(net.PeerV4, closedPort);
        using var source = BpfConnectionSource.Start();
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
}
