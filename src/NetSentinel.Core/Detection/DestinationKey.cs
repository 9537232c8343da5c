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
        CanonicalAddress.Of(connectionEvent.Remote.Address),
        connectionEvent.Remote.Port,
        connectionEvent.Transport);

    public IPEndPoint Remote => new(Address, Port);
}
