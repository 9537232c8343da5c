using System.Diagnostics;
using System.Net;
using System.Text;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;
using NetSentinel.Core.Sources;
using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Snapshot;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>
/// One real process, seen by the eBPF source, the snapshot (`--once`) and the polling source: one identity, and the
/// real formatter's lines carry the fields docs/jsonl-schema.md says each source fills.
/// </summary>
[Collection(BpfTestCollection.Name)]
public class ProcIdentityParityLiveTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    /// <summary>The eBPF source knows both bashes from their exec records (start time from the kernel's task).</summary>
    [RootFact]
    public void AProcessStartedAfterTheMonitorHasOneIdentityInBothSources() => Compare(startedBeforeMonitor: false);

    /// <summary>The eBPF source knows both bashes from /proc, read when it first sees them.</summary>
    [RootFact]
    public void AProcessStartedBeforeTheMonitorHasOneIdentityInBothSources() => Compare(startedBeforeMonitor: true);

    private static void Compare(bool startedBeforeMonitor)
    {
        using var net = new TestNetwork();
        using var listener = net.ListenTcp(net.PeerV4);
        var target = (IPEndPoint)listener.LocalEndPoint!;

        // The inner bash waits for a line, connects, and holds the connection until its stdin closes (builtin reads: no
        // child shares the socket). The outer bash stays its parent.
        var start = new ProcessStartInfo("/bin/bash", ["-c", $"/bin/bash -c 'read -t 15 go; exec 3<>/dev/tcp/{target.Address}/{target.Port}; read -t 15 line' parity-test-arg; true"])
        {
            RedirectStandardInput = true,
        };
        using var outer = startedBeforeMonitor ? Process.Start(start)! : null;
        if (outer is not null) Thread.Sleep(300); // both execs done before the monitor starts
        using var source = BpfConnectionSource.Start();
        var recorder = new EventRecorder();
        using var late = outer is null ? Process.Start(start)! : null;
        Process bash = outer ?? late!;
        try
        {
            bash.StandardInput.WriteLine("go");
            bash.StandardInput.Flush();
            Assert.True(recorder.PumpUntil(source, () => recorder.Events.Any(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target)), s_timeout));
            ProcessInfo kernel = recorder.Events.First(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target)).Process;

            ConnectionRecord row = Assert.Single(new LinuxSnapshotProvider().Capture(), c => c.Remote.Equals(target) && c.Direction == Direction.Outbound);
            ProcessInfo proc = row.Process;
            var polled = new EventRecorder();
            new PollingConnectionSource(new LinuxSnapshotProvider(), TimeProvider.System).EndInterval(polled);
            ConnectionEvent pollOpened = Assert.Single(polled.Events, e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target));

            var formatter = new EcsJsonFormatter("parity-test");
            string Line(LogRecord record) => Encoding.UTF8.GetString(formatter.FormatLine(record));
            ConnectionEvent kernelOpened = recorder.Events.First(e => e.Kind == ConnectionEventKind.Opened && e.Remote.Equals(target));
            ProcessFieldTable.Check("ebpf", Line(new ConnectionLogRecord { Timestamp = kernelOpened.Timestamp, Source = "ebpf", Event = kernelOpened }));
            ProcessFieldTable.Check("poll", Line(new ConnectionLogRecord { Timestamp = pollOpened.Timestamp, Source = "poll", Event = pollOpened }));
            ProcessFieldTable.Check("--once", Line(new ConnectionSnapshotRecord { Timestamp = DateTimeOffset.UtcNow, Source = "snapshot", Connection = row }));
            Assert.Equal((proc.EntityId, proc.Start, proc.CommandLine), (pollOpened.Process.EntityId, pollOpened.Process.Start, pollOpened.Process.CommandLine));
            Assert.Equal(proc.Ancestry.Select(a => a.EntityId), pollOpened.Process.Ancestry.Select(a => a.EntityId));

            Assert.Equal(AttributionSource.Kernel, kernel.IdentifiedBy);
            Assert.Equal(AttributionSource.Proc, proc.IdentifiedBy);
            Assert.Equal(kernel.Pid, proc.Pid);
            Assert.NotNull(kernel.EntityId);
            Assert.Equal(kernel.EntityId, proc.EntityId);
            // Both date it from the same start ticks; each reads the boot time from /proc/uptime on its own.
            Assert.InRange((kernel.Start!.Value - proc.Start!.Value).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(1));
            Assert.Equal(kernel.Args, proc.Args);
            Assert.Equal(["/bin/bash", "-c", $"read -t 15 go; exec 3<>/dev/tcp/{target.Address}/{target.Port}; read -t 15 line", "parity-test-arg"], proc.Args);
            Assert.Equal(kernel.CommandLine, proc.CommandLine);
            Assert.Equal((kernel.Executable, kernel.ExecutableDevice, kernel.ExecutableInode), (proc.Executable, proc.ExecutableDevice, proc.ExecutableInode));
            Assert.Equal((kernel.Uid, kernel.UserName, kernel.ParentPid), (proc.Uid, proc.UserName, proc.ParentPid));
            Assert.Equal((kernel.CgroupPath, kernel.NetworkNamespace), (proc.CgroupPath, proc.NetworkNamespace));

            // The outer bash (exec seen by the kernel), then this test's own process (started before the monitor).
            Assert.Equal([bash.Id, Environment.ProcessId], proc.Ancestry.Take(2).Select(a => a.Pid));
            Assert.Equal(kernel.Ancestry.Take(2).Select(a => (a.Pid, a.EntityId, a.Name, a.Executable)), proc.Ancestry.Take(2).Select(a => (a.Pid, a.EntityId, a.Name, a.Executable)));
            Assert.Equal(kernel.Ancestry.Count, proc.Ancestry.Count);
        }
        finally
        {
            bash.StandardInput.Close();
            if (!bash.WaitForExit(5000)) bash.Kill(entireProcessTree: true);
        }
    }
}
