namespace NetSentinel.Linux.Snapshot;

/// <summary>
/// tcp_info counts sequence space, not payload: bytes_acked includes our SYN (on a connection we opened)
/// and our FIN once it is acknowledged; bytes_received includes the peer's FIN. These corrections turn
/// them into application bytes, so a client that sent 100,000 bytes reads as 100,000 and not 100,001.
/// (A passive opener's SYN-ACK and the received SYN are not counted by the kernel.)
/// </summary>
internal static class TcpPayloadCounters
{
    private const byte FinWait2 = 5;
    private const byte TimeWait = 6;
    private const byte CloseWait = 8;
    private const byte LastAck = 9;
    private const byte Closing = 11;

    public static long Sent(long bytesAcked, byte state, bool activeOpen)
    {
        if (bytesAcked <= 0) return bytesAcked;
        long payload = bytesAcked;
        if (activeOpen) payload--;                                   // our SYN
        if (state is FinWait2 or TimeWait) payload--;                // our FIN, acknowledged
        return Math.Max(0, payload);
    }

    public static long Received(long bytesReceived, byte state)
    {
        if (bytesReceived <= 0) return bytesReceived;
        // CLOSE is left out: a reset also ends there, without a FIN.
        bool peerFinished = state is CloseWait or LastAck or Closing or TimeWait;
        return peerFinished ? bytesReceived - 1 : bytesReceived;
    }
}
