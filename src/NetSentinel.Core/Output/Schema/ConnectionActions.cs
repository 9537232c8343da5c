using NetSentinel.Core.Model;

namespace NetSentinel.Core.Output.Schema;

/// <summary>The table of connection actions (docs/jsonl-schema.md): one row per <c>event.action</c> of a connection line.</summary>
public static class ConnectionActions
{
    public static readonly ConnectionAction TcpOpened = new("connection_opened", ConnectionEventKind.Opened, Transport.Tcp, false, ["connection", "start"]);
    public static readonly ConnectionAction UdpFlow = new("udp_flow", ConnectionEventKind.Opened, Transport.Udp, false, ["connection", "start"]);
    public static readonly ConnectionAction UdpSession = new("udp_session", ConnectionEventKind.Resumed, Transport.Udp, false, ["connection", "info"]);
    public static readonly ConnectionAction Closed = new("connection_closed", ConnectionEventKind.Closed, null, false, ["connection", "end"]);
    public static readonly ConnectionAction FailedClose = new("connection_failed", ConnectionEventKind.Closed, null, true, ["connection", "end", "error"]);
    public static readonly ConnectionAction Traffic = new("connection_traffic", ConnectionEventKind.Traffic, null, false, ["connection", "info"]);

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
