using System.Net;
using NetSentinel.Core.Identity;

namespace NetSentinel.Core.Output;

/// <summary>
/// The community id of each flow's latest line, kept for its next: a connection's opened and closed lines hash the
/// same five-tuple, and the SHA-1 was 7 % of the monitor's samples with every connection logged (issue #15). Per
/// thread, 256 slots chosen by connection id, each used only when the whole five-tuple matches: a slot another flow
/// took, or an id reused, is hashed again.
/// </summary>
internal static class CommunityIdCache
{
    private const int Slots = 256;

    [ThreadStatic]
    private static ulong[]? t_ids;

    [ThreadStatic]
    private static IPEndPoint?[]? t_locals;

    [ThreadStatic]
    private static IPEndPoint?[]? t_remotes;

    [ThreadStatic]
    private static byte[]? t_protocols;

    [ThreadStatic]
    private static byte[]? t_texts;

    [ThreadStatic]
    private static byte[]? t_lengths;

    /// <summary>The flow's id as UTF-8 (<see cref="CommunityId.Format"/>); valid until this thread's next call.</summary>
    public static ReadOnlySpan<byte> Get(ulong connectionId, IPEndPoint local, IPEndPoint remote, byte protocol)
    {
        ulong[] ids = t_ids ??= new ulong[Slots];
        IPEndPoint?[] locals = t_locals ??= new IPEndPoint?[Slots];
        IPEndPoint?[] remotes = t_remotes ??= new IPEndPoint?[Slots];
        byte[] protocols = t_protocols ??= new byte[Slots];
        byte[] texts = t_texts ??= new byte[Slots * CommunityId.MaxUtf8Length];
        byte[] lengths = t_lengths ??= new byte[Slots];

        int slot = (int)(connectionId % Slots);
        Span<byte> text = texts.AsSpan(slot * CommunityId.MaxUtf8Length, CommunityId.MaxUtf8Length);
        if (lengths[slot] == 0 || ids[slot] != connectionId || protocols[slot] != protocol || !local.Equals(locals[slot]) || !remote.Equals(remotes[slot]))
        {
            lengths[slot] = (byte)CommunityId.Format(text, local.Address, local.Port, remote.Address, remote.Port, protocol);
            ids[slot] = connectionId;
            protocols[slot] = protocol;
            locals[slot] = local;
            remotes[slot] = remote;
        }
        return text[..lengths[slot]];
    }
}
