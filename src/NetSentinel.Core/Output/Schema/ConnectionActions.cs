using NetSentinel.Core.Model;

namespace NetSentinel.Core.Output.Schema;

/// <summary>The table of connection actions (docs/jsonl-schema.md): one row per <c>event.action</c> of a connection line.</summary>
public static class ConnectionActions
{
    // Outcomes: an opened connection or a UDP flow is still to be answered when its line is written ("unknown").
    // ECS allows no "error" event.type with category network: a failed connect is an "end" with outcome "failure".
    public static readonly ConnectionAction TcpOpened = new("connection_opened", ConnectionEventKind.Opened, Transport.Tcp, false, ["connection", "start"], "unknown");
    public static readonly ConnectionAction UdpFlow = new("udp_flow", ConnectionEventKind.Opened, Transport.Udp, false, ["connection", "start"], "unknown");
    public static readonly ConnectionAction UdpSession = new("udp_session", ConnectionEventKind.Resumed, Transport.Udp, false, ["connection", "info"], "unknown");
    public static readonly ConnectionAction Closed = new("connection_closed", ConnectionEventKind.Closed, null, false, ["connection", "end"], "success");
    public static readonly ConnectionAction FailedClose = new("connection_failed", ConnectionEventKind.Closed, null, true, ["connection", "end"], "failure");
    public static readonly ConnectionAction Traffic = new("connection_traffic", ConnectionEventKind.Traffic, null, false, ["connection", "info"], null);

    public static IReadOnlyList<ConnectionAction> All { get; } = [TcpOpened, UdpFlow, UdpSession, Closed, FailedClose, Traffic];

    /// <summary>The row the writer uses for <paramref name="connectionEvent"/>.</summary>
    public static ConnectionAction Of(ConnectionEvent connectionEvent)
    {
        ArgumentNullException.ThrowIfNull(connectionEvent);
        return connectionEvent switch
        {
            { Kind: ConnectionEventKind.Opened, Transport: Transport.Udp } => UdpFlow,
            { Kind: ConnectionEventKind.Opened } => TcpOpened,
            { Kind: ConnectionEventKind.Resumed } => UdpSession,
            { Kind: ConnectionEventKind.Closed, Failed: true } => FailedClose,
            { Kind: ConnectionEventKind.Closed } => Closed,
            _ => Traffic,
        };
    }

    /// <summary>The row named <paramref name="name"/>, or null when it is not a connection action.</summary>
    public static ConnectionAction? Find(string name) => All.FirstOrDefault(row => row.Name == name);
}
