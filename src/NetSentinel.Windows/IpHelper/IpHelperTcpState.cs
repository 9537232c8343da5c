namespace NetSentinel.Windows.IpHelper;

/// <summary>
/// MIB_TCP_STATE values as the IP Helper tables report them, named the way the Linux snapshot names
/// kernel states so both platforms print and filter the same strings.
/// </summary>
internal static class IpHelperTcpState
{
    public const uint Listen = 2;
    public const uint SynSent = 3;

    public static string Name(uint state) => state switch
    {
        1 => "CLOSED",
        Listen => "LISTEN",
        SynSent => "SYN_SENT",
        4 => "SYN_RECV",
        5 => "ESTABLISHED",
        6 => "FIN_WAIT1",
        7 => "FIN_WAIT2",
        8 => "CLOSE_WAIT",
        9 => "CLOSING",
        10 => "LAST_ACK",
        11 => "TIME_WAIT",
        12 => "DELETE_TCB",
        _ => $"STATE_{state}",
    };
}
