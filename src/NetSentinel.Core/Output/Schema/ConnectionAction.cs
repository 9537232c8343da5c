using NetSentinel.Core.Model;

namespace NetSentinel.Core.Output.Schema;

/// <summary>
/// One <c>event.action</c> a connection line can carry, with the event it stands for: the writer picks the row
/// for an event, the reader turns the row back into the event's kind.
/// </summary>
/// <param name="Name">The <c>event.action</c> value.</param>
/// <param name="Kind">The event kind the line records.</param>
/// <param name="Transport">The transport the action implies, or null when the line's network.transport decides.</param>
/// <param name="Failed">Closed rows: whether the handshake never completed.</param>
/// <param name="EventTypes">ECS <c>event.type</c> values written with the action.</param>
/// <param name="Outcome">ECS <c>event.outcome</c>, or null when the action has none.</param>
public sealed record ConnectionAction(string Name, ConnectionEventKind Kind, Transport? Transport, bool Failed, IReadOnlyList<string> EventTypes, string? Outcome);
