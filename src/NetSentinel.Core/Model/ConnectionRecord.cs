using System.Net;

namespace NetSentinel.Core.Model;

/// <summary>
/// One socket as a snapshot sees it (sock_diag on Linux, the IP Helper tables on Windows).
/// Byte counters are cumulative over the socket's life, as the kernel reports them; -1 when unknown.
/// </summary>
public sealed record ConnectionRecord
{
    public required Transport Transport { get; init; }
    public required IPEndPoint Local { get; init; }
    /// <summary>The peer; <see cref="IPAddress.Any"/>/port 0 for listening or unconnected sockets.</summary>
    public required IPEndPoint Remote { get; init; }
    /// <summary>Kernel state name in upper case (ESTABLISHED, SYN_SENT, LISTEN, ...; UDP: UNCONN or ESTABLISHED).</summary>
    public required string State { get; init; }
    public required Direction Direction { get; init; }
    /// <summary>A stable identity for the socket while it lives (the inode on Linux).</summary>
    public ulong SocketId { get; init; }
    /// <summary>Owner uid as the kernel reports it for the socket; -1 when unknown.</summary>
    public long Uid { get; init; } = -1;
    public long BytesSent { get; init; } = -1;
    public long BytesReceived { get; init; } = -1;
    public ProcessInfo Process { get; init; } = ProcessInfo.Unknown;

    public bool IsLoopback => IPAddress.IsLoopback(Remote.Address) || IPAddress.IsLoopback(Local.Address);

    /// <summary>This socket as an event of the normalized stream (how snapshots feed the same pipeline as live sources).</summary>
    public ConnectionEvent ToEvent(ConnectionEventKind kind, DateTimeOffset timestamp, long bytesSent = 0, long bytesReceived = 0) => new()
    {
        Kind = kind,
        Timestamp = timestamp,
        ConnectionId = SocketId,
        Transport = Transport,
        Local = Local,
        Remote = Remote,
        Process = Process,
        BytesSent = bytesSent,
        BytesReceived = bytesReceived,
    };
}
