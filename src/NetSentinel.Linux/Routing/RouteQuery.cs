using System.Net;

namespace NetSentinel.Linux.Routing;

/// <summary>
/// One question to the routing table, with the inputs the kernel's lookup for a UDP datagram uses besides the
/// network namespace: the destination, the ports (which `ip rule sport/dport` match), the device the socket is bound
/// to (SO_BINDTODEVICE; 0 = none), its mark (SO_MARK) and its owner's uid (`ip rule uidrange`).
/// </summary>
public readonly record struct RouteQuery(IPAddress Destination, int SourcePort, int DestinationPort, uint BoundDevice, uint Mark, uint Uid);
