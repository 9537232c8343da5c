namespace NetSentinel.Core.Output.Syslog;

/// <summary>How syslog messages reach the receiver.</summary>
public enum SyslogTransport
{
    /// <summary>A Unix datagram socket such as /dev/log: one message per datagram.</summary>
    UnixDatagram,

    /// <summary>UDP (RFC 5426): one message per datagram; a message too long for one datagram is lost, counted.</summary>
    Udp,

    /// <summary>TCP with octet-counting framing (RFC 6587 §3.4.1): <c>LENGTH SP MESSAGE</c>, so a message may hold any byte.</summary>
    Tcp,
}
