namespace NetSentinel.Core.Model;

/// <summary>The transport protocol of a connection or flow.</summary>
public enum Transport : byte
{
    Tcp,
    Udp,
}
