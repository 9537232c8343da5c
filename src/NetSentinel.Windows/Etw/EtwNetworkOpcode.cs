namespace NetSentinel.Windows.Etw;

/// <summary>What a kernel TcpIp/UdpIp event means, decided from its task and opcode (never from ranges of event ids).</summary>
internal enum EtwNetworkOpcode : byte
{
    /// <summary>Anything we do not consume (TCPCopy, ACK bookkeeping, ARP, unknown future opcodes).</summary>
    Other,
    /// <summary>An outbound TCP connection was established by this host.</summary>
    Connect,
    /// <summary>An inbound TCP connection was accepted: not outbound, its traffic is not ours to score.</summary>
    Accept,
    Send,
    Receive,
    Disconnect,
    /// <summary>A TCP segment was retransmitted: says nothing about opening or closing.</summary>
    Retransmit,
    /// <summary>A connection attempt failed and is being retried (SYN retransmission); only the active side does this.</summary>
    Reconnect,
    /// <summary>A failure carrying endpoints. The kernel TcpIp/Fail event has none (only protocol and code), so it is not mapped to this.</summary>
    Fail,
}
