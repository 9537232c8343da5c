namespace NetSentinel.Core.Model;

public enum ConnectionEventKind : byte
{
    /// <summary>A new outbound TCP connection attempt (connect()), or the first datagram of a new UDP flow.</summary>
    Opened,
    /// <summary>Bytes moved on a connection during the interval that is ending: <see cref="ConnectionEvent.BytesSent"/> is a delta.</summary>
    Traffic,
    /// <summary>The connection ended; byte fields are lifetime totals, <see cref="ConnectionEvent.Duration"/> is set.</summary>
    Closed,
    /// <summary>
    /// A UDP flow that had been idle sent again: a new session of a flow already opened (action
    /// <c>udp_session</c>). UDP has no connect, so this is how a beacon over UDP shows its rhythm.
    /// </summary>
    Resumed,
}
