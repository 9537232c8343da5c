using System.Net;
using NetSentinel.Core.Model;

namespace NetSentinel.Windows.Etw;

/// <summary>
/// One kernel network event reduced to plain values on the ETW thread, so the mapping can be tested
/// without TraceEvent objects (which are only valid inside their callback anyway).
/// Source/Destination are the payload's saddr/sport and daddr/dport as named by the provider; ports are
/// host-order integers (TraceEvent byte-swaps the network-order payload fields). Which side is this host
/// is decided later by <see cref="EtwNetworkEventMapper"/>, because receive events name them the other way round.
/// </summary>
internal readonly record struct EtwNetworkRecord(
    EtwNetworkOpcode Opcode,
    Transport Transport,
    int ProcessId,
    int Size,
    IPAddress SourceAddress,
    int SourcePort,
    IPAddress DestinationAddress,
    int DestinationPort,
    DateTimeOffset Timestamp);
