using System.Net;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Detection;

/// <summary>
/// What makes a destination "the same" for new_destination: program, remote address, remote port, transport.
/// Deliberately without the local port or TCP state, so an ephemeral port or a state change never makes it new.
/// </summary>
public readonly record struct DestinationKey(string ProgramKey, IPAddress Address, int Port, Transport Transport)
{
    public static DestinationKey Of(ConnectionEvent connectionEvent) => new(
        connectionEvent.Process.ProgramKey,
        Normalize(connectionEvent.Remote.Address),
        connectionEvent.Remote.Port,
        connectionEvent.Transport);

    /// <summary>A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; they are the same destination as a.b.c.d.</summary>
    public static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    public IPEndPoint Remote => new(Address, Port);
}
