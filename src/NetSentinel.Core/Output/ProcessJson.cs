using NetSentinel.Core.Model;

namespace NetSentinel.Core.Output;

/// <summary>
/// One process's part of a line, already JSON: <see cref="Members"/> are the top-level members
/// (<c>,"process":{…},"user":{…},"container":{…},"orchestrator":{…}</c>) and <see cref="ExtraMembers"/> the
/// members under <c>net_sentinel</c> (<c>,"process":{…},"ancestry":[…]</c>). Each starts with its comma and
/// is empty when the process has none; <see cref="Name"/> is the name made safe to encode, for the message;
/// <see cref="EscapedName"/> and <see cref="EscapedUser"/> (empty without a user) are the JSON string contents of the name and of related.user.
/// </summary>
internal sealed record ProcessJson(ProcessInfo Process, byte[] Members, byte[] ExtraMembers, string Name, byte[] EscapedName, byte[] EscapedUser);
