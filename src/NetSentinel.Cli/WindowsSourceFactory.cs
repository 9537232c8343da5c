using System.Runtime.Versioning;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Sources;
using NetSentinel.Windows.Etw;
using NetSentinel.Windows.IpHelper;
using NetSentinel.Windows.Processes;

namespace NetSentinel.Cli;

/// <summary>Windows: ETW kernel network events when elevated, IP Helper table polling otherwise, IP Helper tables for snapshots.</summary>
[SupportedOSPlatform("windows")]
public sealed class WindowsSourceFactory : ISourceFactory
{
    public IConnectionSnapshotProvider CreateSnapshot() => new IpHelperSnapshotProvider();

    public IConnectionSource CreateLive(SourceKind kind, TextWriter stderr)
    {
        switch (kind)
        {
            case SourceKind.Ebpf:
                throw CliFailure.Usage("--source ebpf is only available on Linux; use auto, etw or poll");
            case SourceKind.Poll:
                return new PollingConnectionSource(CreateSnapshot(), TimeProvider.System, "requested with --source poll");
            case SourceKind.Etw:
                return StartEtw();
            default:
                try
                {
                    return StartEtw();
                }
                catch (CliFailure why)
                {
                    stderr.WriteLine($"net-sentinel: ETW unavailable: {why.Message}; falling back to polling");
                    return new PollingConnectionSource(CreateSnapshot(), TimeProvider.System, "ETW unavailable");
                }
        }
    }

    private IConnectionSource StartEtw()
    {
        try
        {
            if (EtwPrivilege.Check() is { } missing) throw CliFailure.Runtime(missing);
            var processes = new WindowsProcessInfoResolver();
            return new EtwFailureExit(new EtwConnectionSource(TimeProvider.System, processes, new IpHelperSnapshotProvider(processes)));
        }
        catch (EtwSessionException e)
        {
            throw CliFailure.Runtime(e.Message);
        }
        catch (TypeInitializationException e) when (e.InnerException is PlatformNotSupportedException unsupported)
        {
            // TraceEvent's module initializer refuses Windows before 10 / Server 2016 (and Wine's default Windows 7 prefix).
            throw CliFailure.Runtime($"cannot use ETW here: {unsupported.Message}");
        }
    }

    /// <summary>Windows has no cheap host-wide counter wired in yet; alerts simply omit the host figure.</summary>
    public Func<double?> HostBytesSentPerSecond() => () => null;
}
