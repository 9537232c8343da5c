using System.Buffers.Binary;

namespace NetSentinel.Core.Dns;

/// <summary>
/// Puts DNS-over-TCP messages back together from the segments a capture saw, per stream and direction: a message is
/// its 2-byte length then that many bytes, and may arrive in several segments (a length written on its own, an answer
/// larger than one segment). Segments are placed by their TCP sequence number, so a retransmission is skipped and a
/// hole (a segment not seen) abandons the message instead of splicing the wrong bytes. Bounded: a message keeps at
/// most <see cref="MaxMessageBytes"/> bytes (the rest is parsed as a prefix), at most <see cref="MaxStreams"/>
/// messages are pending (the least recently fed goes first), and a captured segment that is shorter than on the wire
/// (the kernel copies a bounded prefix) leaves the rest of its message a prefix too.
/// </summary>
public sealed class TcpDnsReassembler
{
    public const int MaxMessageBytes = 4096;
    public const int MaxStreams = 256;

    private readonly Dictionary<TcpDnsStream, Pending> _pending = [];
    private long _feeds;

    /// <summary>Messages abandoned because a segment was missing (counted, never parsed).</summary>
    public long Abandoned { get; private set; }

    public int PendingCount => _pending.Count;

    /// <summary>
    /// Feeds one segment's payload: <paramref name="sequence"/> is the TCP sequence number of its first byte,
    /// <paramref name="wireLength"/> its length on the wire, <paramref name="captured"/> the bytes of it that were
    /// copied. True when a message is complete: <paramref name="message"/> holds its bytes (all of them, or a prefix
    /// when <paramref name="declaredLength"/> is larger).
    /// </summary>
    public bool TryAdd(TcpDnsStream stream, uint sequence, int wireLength, ReadOnlySpan<byte> captured, out byte[] message, out int declaredLength)
    {
        message = [];
        declaredLength = 0;
        _feeds++;
        if (_pending.TryGetValue(stream, out var pending))
        {
            if (sequence != pending.Next)
            {
                if ((int)(sequence - pending.Next) < 0)
                {
                    return false; // bytes already placed: a retransmission
                }
                _pending.Remove(stream); // a hole: what follows cannot be placed
                Abandoned++;
                return false;
            }
            pending.Append(captured, wireLength);
            pending.LastFed = _feeds;
            if (pending.Received < pending.Declared)
            {
                return false;
            }
            _pending.Remove(stream);
            (message, declaredLength) = (pending.Bytes(), pending.Declared);
            return true;
        }
        if (captured.Length < 2)
        {
            return false; // not even the length: a message cannot start here
        }
        int declared = BinaryPrimitives.ReadUInt16BigEndian(captured);
        if (wireLength - 2 == declared)
        {
            message = captured[2..].ToArray(); // the whole message in this segment (or its captured prefix)
            declaredLength = declared;
            return true;
        }
        if (wireLength - 2 > declared)
        {
            return false; // more than one message, or the middle of one whose start was not seen: not followed
        }
        if (_pending.Count >= MaxStreams)
        {
            _pending.Remove(_pending.MinBy(p => p.Value.LastFed).Key);
            Abandoned++;
        }
        var started = new Pending(declared, sequence + 2) { LastFed = _feeds };
        started.Append(captured[2..], wireLength - 2);
        _pending[stream] = started;
        return false;
    }

    /// <summary>Forgets a stream's pending message (its connection closed).</summary>
    public void Forget(TcpDnsStream stream) => _pending.Remove(stream);

    private sealed class Pending(int declared, uint next)
    {
        private readonly byte[] _bytes = new byte[Math.Min(declared, MaxMessageBytes)];
        private int _kept;
        private bool _gap;

        public int Declared { get; } = declared;
        public uint Next { get; private set; } = next;
        public int Received { get; private set; }
        public long LastFed { get; set; }

        /// <summary>Adds a segment's bytes; after a segment captured short of its wire length nothing more is kept.</summary>
        public void Append(ReadOnlySpan<byte> captured, int wireLength)
        {
            if (!_gap)
            {
                int take = Math.Min(captured.Length, _bytes.Length - _kept);
                captured[..take].CopyTo(_bytes.AsSpan(_kept));
                _kept += take;
                _gap = captured.Length < wireLength;
            }
            Received += wireLength;
            Next += (uint)wireLength;
        }

        public byte[] Bytes() => _bytes[.._kept];
    }
}
