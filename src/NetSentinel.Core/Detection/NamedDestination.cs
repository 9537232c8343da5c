using NetSentinel.Core.Model;

namespace NetSentinel.Core.Detection;

/// <summary>A destination by name: the program, the registrable domain it resolved, the port and the transport.</summary>
public readonly record struct NamedDestination(string ProgramKey, string Domain, int Port, Transport Transport)
{
    /// <summary>Null when the destination has no known name.</summary>
    public static NamedDestination? Of(ConnectionEvent connectionEvent) =>
        connectionEvent.Names is { } names
            ? new NamedDestination(connectionEvent.Process.ProgramKey, names.RegistrableDomain, connectionEvent.Remote.Port, connectionEvent.Transport)
            : null;
}
