using System.Runtime.Versioning;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Sources;
using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Processes;
using NetSentinel.Linux.Snapshot;

namespace NetSentinel.Cli;

/// <summary>Linux: eBPF when privileged and the kernel allows it, sock_diag polling otherwise, sock_diag for snapshots.</summary>
[SupportedOSPlatform("linux")]
public sealed class LinuxSourceFactory : ISourceFactory
{
    // One reader for the whole run, so its (pid, start time) cache serves every snapshot.
    private readonly ProcessInfoReader _processes = new();

    public IConnectionSnapshotProvider CreateSnapshot() => new LinuxSnapshotProvider(_processes);

    public IConnectionSource CreateLive(SourceKind kind, TextWriter stderr)
    {
        switch (kind)
        {
            case SourceKind.Etw:
                throw CliFailure.Usage("--source etw is only available on Windows; use auto, ebpf or poll");
            case SourceKind.Poll:
                return new PollingConnectionSource(CreateSnapshot(), TimeProvider.System, "requested with --source poll");
            case SourceKind.Ebpf:
                return StartEbpf();
            default:
                try
                {
                    return StartEbpf();
                }
                catch (CliFailure why)
                {
                    stderr.WriteLine($"net-sentinel: eBPF unavailable: {why.Message}; falling back to polling");
                    return new PollingConnectionSource(CreateSnapshot(), TimeProvider.System, "eBPF unavailable");
                }
        }
    }

    private static IConnectionSource StartEbpf()
    {
        if (BpfConnectionSource.CheckPrivilege() is { } missing) throw CliFailure.Runtime(missing);
        try
        {
            return BpfConnectionSource.Start();
        }
        catch (BpfException e)
        {
            throw CliFailure.Runtime(e.Message);
        }
    }

    public Func<double?> HostBytesSentPerSecond()
    {
        var reader = new ProcNetDevReader();
        NetDevTotals? previous = null;
        long previousTicks = 0;
        return () =>
        {
            try
            {
                var totals = reader.Read();
                long now = Environment.TickCount64;
                double? rate = previous is { } p && now > previousTicks
                    ? Math.Max(0, totals.BytesSent - p.BytesSent) * 1000.0 / (now - previousTicks)
                    : null;
                (previous, previousTicks) = (totals, now);
                return rate;
            }
            catch (IOException)
            {
                return null; // a host figure is context, never a reason to stop monitoring
            }
        };
    }
}
