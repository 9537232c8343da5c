namespace NetSentinel.Linux.Snapshot;

/// <summary>The kernel's TCP state numbers (include/net/tcp_states.h) and the names ss prints for them.</summary>
internal static class TcpStates
{
    public const byte Established = 1;
    public const byte Close = 7;
    public const byte Listen = 10;

    private static readonly string[] s_names =
    [
        "UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
        "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV", "BOUND_INACTIVE",
    ];

    public static string TcpName(byte state) => state < s_names.Length ? s_names[state] : "UNKNOWN";

    /// <summary>UDP sockets report TCP_ESTABLISHED once connect()ed, TCP_CLOSE otherwise.</summary>
    public static string UdpName(byte state) => state == Established ? "ESTABLISHED" : "UNCONN";
}
