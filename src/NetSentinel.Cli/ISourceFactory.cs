using NetSentinel.Core.Configuration;
using NetSentinel.Core.Sources;

namespace NetSentinel.Cli;

/// <summary>The platform's sources, chosen by OS at start; the commands above know only the interfaces.</summary>
public interface ISourceFactory
{
    IConnectionSnapshotProvider CreateSnapshot();

    /// <summary>The live source for <paramref name="kind"/>; auto falls back to polling with one line on stderr saying why.
    /// Throws <see cref="CliFailure"/> (exit 3) when an explicitly requested source cannot run.</summary>
    IConnectionSource CreateLive(SourceKind kind, TextWriter stderr);

    /// <summary>The host's bytes/second sent over all interfaces since the previous call, or null where unknown.</summary>
    Func<double?> HostBytesSentPerSecond();
}
