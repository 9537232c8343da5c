namespace NetSentinel.Core.Dns;

/// <summary>One direction of one DNS-over-TCP connection: this host's end, the server's end, and which way the bytes go.</summary>
public readonly record struct TcpDnsStream(AddressKey Local, int LocalPort, AddressKey Server, int ServerPort, bool FromServer);
