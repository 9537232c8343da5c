using System.Net;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Detection;

/// <summary>
/// What makes a destination "the same" for new_destination: program, remote address, remote port, transport.
/// Deliberately without the local port or TCP state, so an ephemeral port or a state change never makes it new.
/// A key made from an event carries its program's hash from the process (<see cref="ProcessInfo.ProgramKeyHash"/>).
/// </summary>
public readonly record struct DestinationKey(string ProgramKey, IPAddress Address, int Port, Transport Transport)
{
    private readonly int _programKeyHash; // 0: not carried, worked out when asked

    private DestinationKey(ProcessInfo process, IPAddress address, int port, Transport transport)
        : this(process.ProgramKey, address, port, transport) => _programKeyHash = process.ProgramKeyHash;

    public static DestinationKey Of(ConnectionEvent connectionEvent) => new(
        connectionEvent.Process,
        CanonicalAddress.Of(connectionEvent.Remote.Address),
        connectionEvent.Remote.Port,
        connectionEvent.Transport);

    public IPEndPoint Remote => new(Address, Port);

    public bool Equals(DestinationKey other) =>
        Port == other.Port && Transport == other.Transport && Equals(Address, other.Address) && string.Equals(ProgramKey, other.ProgramKey, StringComparison.Ordinal);

    public override int GetHashCode() => HashCode.Combine(_programKeyHash != 0 ? _programKeyHash : ProgramKey.GetHashCode(), Address, Port, Transport);
}
