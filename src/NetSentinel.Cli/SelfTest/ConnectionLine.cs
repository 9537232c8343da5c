namespace NetSentinel.Cli.SelfTest;

/// <summary>
/// What the self-test needs of one connection line of the monitor's log (it runs the monitor with connections
/// logged) to say, when an attack is missed, what the monitor saw of the program: whose, which kind, where to, when
/// it started and how many bytes it moved.
/// </summary>
/// <param name="Action">connection_opened, connection_closed, connection_failed, udp_flow or udp_session.</param>
/// <param name="Destination">address:port/transport.</param>
/// <param name="Bytes">network.bytes (closed lines); 0 when absent.</param>
public sealed record ConnectionLine(string Action, int Pid, string? Executable, string? ProcessName, DateTimeOffset? Start, string Destination, long Bytes)
{
    /// <summary>A line that starts something: a connect, a UDP flow or a later session of one (a beacon's rhythm).</summary>
    public bool IsStart => Action is "connection_opened" or "udp_flow" or "udp_session";

    /// <summary>A line that ends a connection with its lifetime bytes.</summary>
    public bool IsEnd => Action is "connection_closed" or "connection_failed";
}
