using System.Diagnostics;
using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Bpf;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>Ancestry and containers on the real eBPF source, with real processes and real cgroups.</summary>
[Collection(BpfTestCollection.Name)]
public class ProcessContextLiveTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);
    private const string CgroupRoot = "/sys/fs/cgroup/unified";

    [RootFact]
    public void ABashShPythonChainWhoseMiddleExitedBeforeTheConnectNamesAllThree()
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        var target = (IPEndPoint)listener.LocalEndPoint!;
        using var source = BpfConnectionSource.Start();
        var recorder = new EventRecorder();

        // sh starts the program in the background and exits 0.2 s later; the program connects 0.5 s after it started.
        // (sh waits that long so its child has exec'd under it: without a fork hook, a child still between fork and
        // exec when its parent exits is re-parented before the exec record names its parent.)
        string connect = File.Exists("/usr/bin/python3")
            ? $"/usr/bin/python3 -c 'import socket,time; time.sleep(0.5); socket.create_connection((\"{target.Address}\", {target.Port})).close()'"
            : $"/bin/bash -c 'sleep 0.5; exec 3<>/dev/tcp/{target.Address}/{target.Port}'";
        using var bash = Process.Start(new ProcessStartInfo("/bin/bash", ["-c", $"/bin/sh -c \"{connect.Replace("\"", "\\\"", StringComparison.Ordinal)} & sleep 0.2\"; sleep 2"]))!;

        Assert.True(recorder.PumpUntil(source, () => recorder.Events.Any(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target)), s_timeout));
        Assert.True(bash.WaitForExit(10_000));
        ConnectionEvent opened = recorder.Events.First(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target));
        ProcessInfo process = opened.Process;

        Assert.NotNull(process.EntityId);
        Assert.NotNull(process.Start);
        Assert.True(process.Ancestry.Count >= 2, $"ancestry: {string.Join(" <- ", process.Ancestry.Select(a => $"{a.Name}({a.Pid})"))}");
        Assert.Equal("sh", process.Ancestry[0].Name);
        Assert.Equal(bash.Id, process.Ancestry[1].Pid);
        Assert.Equal("bash", process.Ancestry[1].Name);
        Assert.Equal(Environment.ProcessId, process.Ancestry[2].Pid);
        Assert.NotEqual(process.Ancestry[0].EntityId, process.Ancestry[1].EntityId);
    }

    [RootFact]
    public void AChildReparentedBeforeItExecsStillNamesTheShellThatForkedIt()
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        var target = (IPEndPoint)listener.LocalEndPoint!;
        using var source = BpfConnectionSource.Start();
        var recorder = new EventRecorder();

        // The background subshell is forked by bash, which exits at once; 0.5 s later, re-parented, it execs the program
        // that connects. Only the fork record knows it was bash's.
        using var bash = Process.Start(new ProcessStartInfo("/bin/bash", ["-c", $"( sleep 0.5; exec /bin/bash -c 'exec 3<>/dev/tcp/{target.Address}/{target.Port}' ) & exit 0"]))!;
        Assert.True(bash.WaitForExit(10_000));

        Assert.True(recorder.PumpUntil(source, () => recorder.Events.Any(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target)), s_timeout));
        ProcessInfo process = recorder.Events.First(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target)).Process;
        Assert.NotEqual(bash.Id, process.Pid);
        Assert.Equal(bash.Id, process.ParentPid);
        Assert.Equal(bash.Id, process.Ancestry[0].Pid);
        Assert.Equal("bash", process.Ancestry[0].Name);
        Assert.Equal(Environment.ProcessId, process.Ancestry[1].Pid);
    }

    /// <summary>
    /// A subshell forks without exec, connects, writes its pid and /proc/PID/stat starttime, and is gone before the
    /// records are drained: its entity_id comes from the fork record's start time alone and must be the one a /proc
    /// reader derives from that starttime.
    /// </summary>
    [RootFact]
    public void AForkedChildThatNeverExecsHasTheEntityIdAProcReaderDerives()
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        var target = (IPEndPoint)listener.LocalEndPoint!;
        string facts = Path.Combine(Path.GetTempPath(), $"ns-fork-start-{Environment.ProcessId}");
        using var source = BpfConnectionSource.Start();
        var recorder = new EventRecorder();

        string subshell = $"read -ra f < /proc/$BASHPID/stat; echo $BASHPID ${{f[21]}} > {facts}; exec 3<>/dev/tcp/{target.Address}/{target.Port}";
        using var bash = Process.Start(new ProcessStartInfo("/bin/bash", ["-c", $"( {subshell} ); true"]))!;
        Assert.True(bash.WaitForExit(10_000));
        string[] written = File.ReadAllText(facts).Split(' ', StringSplitOptions.TrimEntries);
        File.Delete(facts);
        int child = int.Parse(written[0], System.Globalization.CultureInfo.InvariantCulture);
        ulong startTicks = ulong.Parse(written[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Directory.Exists($"/proc/{child}"), "the subshell is still alive: /proc would be read instead of the fork record");

        Assert.True(recorder.PumpUntil(source, () => recorder.Events.Any(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target)), s_timeout));
        ProcessInfo process = recorder.Events.First(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target)).Process;
        Assert.Equal(child, process.Pid);
        string host = Core.Identity.HostIdentity.EntityHostId();
        string boot = Core.Identity.HostIdentity.CurrentBootId() ?? string.Empty;
        Assert.Equal(Core.Identity.EntityId.Derive(host, boot, child, startTicks), process.EntityId);
        Assert.Equal(bash.Id, process.ParentPid);
    }

    [RootFact]
    public void AProcessInADockerNamedCgroupCarriesTheContainerId()
    {
        string id = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        ContainerOf($"context-{Environment.ProcessId}/docker-{id}.scope", container =>
        {
            Assert.Equal(id, container?.Id);
            Assert.Equal("docker", container?.Runtime);
            Assert.Null(container?.PodUid);
        });
    }

    [RootFact]
    public void AProcessInAKubepodsNamedCgroupCarriesThePodUidAndQosClass()
    {
        string id = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        string pod = Guid.NewGuid().ToString();
        ContainerOf($"context-{Environment.ProcessId}/kubepods/burstable/pod{pod}/{id}", container =>
        {
            Assert.Equal(id, container?.Id);
            Assert.Equal(pod, container?.PodUid);
            Assert.Equal("burstable", container?.QosClass);
        });
    }

    /// <summary>Creates the cgroup under the v2 mount, runs a bash that moves itself in and connects, checks, removes the cgroup.</summary>
    private static void ContainerOf(string relativeCgroup, Action<Core.Identity.ContainerIdentity?> check)
    {
        string top = Path.Combine(CgroupRoot, relativeCgroup.Split('/')[0]);
        string cgroup = Path.Combine(CgroupRoot, relativeCgroup);
        Directory.CreateDirectory(cgroup);
        try
        {
            using var net = new TestNetwork();
            using var listener = net.ListenTcp(net.PeerV4);
            var target = (IPEndPoint)listener.LocalEndPoint!;
            using var source = BpfConnectionSource.Start();
            var recorder = new EventRecorder();

            using var bash = Process.Start(new ProcessStartInfo("/bin/bash", ["-c", $"echo $$ > {cgroup}/cgroup.procs && exec 3<>/dev/tcp/{target.Address}/{target.Port}"]))!;
            Assert.True(bash.WaitForExit(10_000));
            Assert.Equal(0, bash.ExitCode);

            Assert.True(recorder.PumpUntil(source, () => recorder.Events.Any(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target)), s_timeout));
            ProcessInfo process = recorder.Events.First(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target)).Process;
            Assert.Equal(bash.Id, process.Pid);
            check(process.Container);
        }
        finally
        {
            // Deepest first; a cgroup whose process has exited is empty and can be removed.
            foreach (string directory in Directory.GetDirectories(top, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).Append(top))
            {
                try { Directory.Delete(directory); } catch (IOException) { }
            }
        }
    }
}
