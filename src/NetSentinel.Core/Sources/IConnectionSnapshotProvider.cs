using NetSentinel.Core.Model;

namespace NetSentinel.Core.Sources;

/// <summary>Takes a point-in-time list of the host's sockets with their owners (sock_diag + /proc, or the IP Helper tables).</summary>
public interface IConnectionSnapshotProvider
{
    /// <summary>Every TCP and UDP socket, IPv4 and IPv6, whatever its direction; callers filter.</summary>
    IReadOnlyList<ConnectionRecord> Capture();

    /// <summary>Why attribution is partial, when it is (e.g. "not root: sockets of other users show no process"); null when complete.</summary>
    string? DegradedReason { get; }
}
