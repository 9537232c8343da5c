namespace NetSentinel.Core.Model;

/// <summary>Who opened a socket, as seen from this host.</summary>
public enum Direction : byte
{
    /// <summary>This host initiated it (connect, or a UDP send to a remote peer).</summary>
    Outbound,
    /// <summary>A remote peer initiated it (an accepted connection on a listening port).</summary>
    Inbound,
    /// <summary>A listening TCP socket, or a bound UDP socket with no peer.</summary>
    Listening,
}
