using System.Buffers.Binary;
using System.Net;

namespace NetSentinel.Core.Dns;

/// <summary>
/// Parses a DNS message (RFC 1035) that arrived from the network and so may be hostile: every read is
/// bounds-checked, compression pointers must point strictly before the name segment they appear in (so a
/// pointer chain always ends), names stop at 255 wire bytes, and at most <see cref="MaxAnswers"/> answers are
/// kept however large the counts claim to be. Work and allocation are bounded by the packet's length.
/// </summary>
public static class DnsMessageParser
{
    /// <summary>Answers kept per message: more than any real answer for one name carries.</summary>
    public const int MaxAnswers = 32;
    /// <summary>RFC 1035 §2.3.4: a name is at most 255 bytes on the wire, a label at most 63.</summary>
    public const int MaxNameWireLength = 255;
    private const int HeaderLength = 12;
    private const ushort ClassIn = 1;

    /// <summary>Parses a message in DNS-over-UDP form (no TCP length prefix).</summary>
    /// <param name="packet">The message, or the first bytes of it.</param>
    /// <param name="isPrefix">True when <paramref name="packet"/> is only the captured start of a longer message:
    /// running out of bytes inside the answer section then ends the answers (<see cref="DnsMessage.Complete"/> false)
    /// instead of making the message malformed.</param>
    public static DnsParseStatus Parse(ReadOnlySpan<byte> packet, bool isPrefix, out DnsMessage? message)
    {
        message = null;
        if (packet.Length < HeaderLength)
        {
            return DnsParseStatus.Malformed;
        }
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(packet);
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        ushort questions = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        ushort answerCount = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        bool isResponse = (flags & 0x8000) != 0;
        int opcode = (flags >> 11) & 0xF;
        if (opcode != 0 || questions != 1)
        {
            return DnsParseStatus.Ignored;
        }

        int offset = HeaderLength;
        if (!TryReadName(packet, ref offset, out var questionName) || offset + 4 > packet.Length)
        {
            return DnsParseStatus.Malformed;
        }
        var questionType = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
        offset += 4;

        var answers = new List<DnsAnswer>(Math.Min((int)answerCount, 4));
        bool complete = true;
        for (int i = 0; i < answerCount && isResponse; i++)
        {
            var read = TryReadAnswer(packet, ref offset, out var answer);
            if (read == AnswerRead.RanOut && isPrefix)
            {
                complete = false;
                break;
            }
            if (read != AnswerRead.Ok)
            {
                return DnsParseStatus.Malformed;
            }
            if (answer is not null)
            {
                if (answers.Count == MaxAnswers)
                {
                    complete = false;
                    break;
                }
                answers.Add(answer);
            }
        }

        message = new DnsMessage
        {
            Id = id,
            IsResponse = isResponse,
            ResponseCode = flags & 0xF,
            QuestionName = questionName,
            QuestionType = questionType,
            Answers = answers,
            Complete = complete,
        };
        return DnsParseStatus.Parsed;
    }

    private enum AnswerRead { Ok, RanOut, Malformed }

    /// <summary>Reads one resource record; <paramref name="answer"/> is null for a record the cache does not use.</summary>
    private static AnswerRead TryReadAnswer(ReadOnlySpan<byte> packet, ref int offset, out DnsAnswer? answer)
    {
        answer = null;
        if (!TryReadName(packet, ref offset, out var owner, out bool ranOut))
        {
            return ranOut ? AnswerRead.RanOut : AnswerRead.Malformed;
        }
        if (offset + 10 > packet.Length)
        {
            return AnswerRead.RanOut;
        }
        var type = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
        ushort recordClass = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
        uint ttl = BinaryPrimitives.ReadUInt32BigEndian(packet[(offset + 4)..]);
        int dataLength = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 8)..]);
        offset += 10;
        if (offset + dataLength > packet.Length)
        {
            return AnswerRead.RanOut;
        }
        var data = packet.Slice(offset, dataLength);
        int dataStart = offset;
        offset += dataLength;
        if (ttl > int.MaxValue)
        {
            ttl = 0;
        }
        if (recordClass != ClassIn)
        {
            return AnswerRead.Ok;
        }
        switch (type)
        {
            case DnsRecordType.A when dataLength == 4:
            case DnsRecordType.Aaaa when dataLength == 16:
                answer = new DnsAnswer(owner, type, ttl, new IPAddress(data), null);
                return AnswerRead.Ok;
            case DnsRecordType.A:
            case DnsRecordType.Aaaa:
                return AnswerRead.Malformed;
            case DnsRecordType.Cname:
                // The target may use compression pointers into the rest of the message, but must end inside its RDATA.
                int targetOffset = dataStart;
                if (!TryReadName(packet[..(dataStart + dataLength)], ref targetOffset, out var target) || targetOffset != dataStart + dataLength)
                {
                    return AnswerRead.Malformed;
                }
                answer = new DnsAnswer(owner, type, ttl, null, target);
                return AnswerRead.Ok;
            default:
                return AnswerRead.Ok;
        }
    }

    private static bool TryReadName(ReadOnlySpan<byte> packet, ref int offset, out string name) =>
        TryReadName(packet, ref offset, out name, out _);

    /// <summary>
    /// Reads a possibly compressed name starting at <paramref name="offset"/> and moves the offset past its
    /// in-place part. Labels become lower-case text joined by dots; bytes other than printable ASCII, and a dot
    /// or backslash inside a label, are written as \DDD (as dig shows them), so a name can never smuggle a separator.
    /// </summary>
    private static bool TryReadName(ReadOnlySpan<byte> packet, ref int offset, out string name, out bool ranOut)
    {
        name = string.Empty;
        ranOut = false;
        Span<char> text = stackalloc char[MaxNameWireLength * 4];
        int length = 0;
        int wireLength = 0;
        int position = offset;
        int segmentStart = offset;
        bool jumped = false;
        while (true)
        {
            if (position >= packet.Length)
            {
                ranOut = true;
                return false;
            }
            byte labelLength = packet[position];
            if ((labelLength & 0xC0) == 0xC0)
            {
                if (position + 1 >= packet.Length)
                {
                    ranOut = true;
                    return false;
                }
                int target = ((labelLength & 0x3F) << 8) | packet[position + 1];
                // Strictly before the segment being read: each jump lands lower than the last, so a chain always ends.
                if (target >= segmentStart)
                {
                    return false;
                }
                if (!jumped)
                {
                    offset = position + 2;
                    jumped = true;
                }
                position = target;
                segmentStart = target;
                continue;
            }
            if ((labelLength & 0xC0) != 0)
            {
                return false; // 0x40 and 0x80: the obsolete extended label types, never sent by a real server
            }
            wireLength += labelLength + 1;
            if (wireLength > MaxNameWireLength)
            {
                return false;
            }
            if (labelLength == 0)
            {
                if (!jumped)
                {
                    offset = position + 1;
                }
                name = new string(text[..length]);
                return true;
            }
            if (position + 1 + labelLength > packet.Length)
            {
                ranOut = true;
                return false;
            }
            if (length > 0)
            {
                text[length++] = '.';
            }
            foreach (byte b in packet.Slice(position + 1, labelLength))
            {
                length += AppendLabelByte(text[length..], b);
            }
            position += 1 + labelLength;
        }
    }

    private static int AppendLabelByte(Span<char> destination, byte b)
    {
        if (b is > 0x20 and < 0x7F and not (byte)'.' and not (byte)'\\')
        {
            destination[0] = (char)(b is >= (byte)'A' and <= (byte)'Z' ? b + 32 : b);
            return 1;
        }
        destination[0] = '\\';
        destination[1] = (char)('0' + b / 100);
        destination[2] = (char)('0' + b / 10 % 10);
        destination[3] = (char)('0' + b % 10);
        return 4;
    }
}
