using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace NetSentinel.Tests.Shared;

/// <summary>
/// Builds DNS messages byte by byte for tests: well-formed ones (with or without compression) and hostile
/// ones (the builder does not check what it is told to write).
/// </summary>
public sealed class DnsPacketBuilder
{
    private readonly List<byte> _bytes = [];

    public int Length => _bytes.Count;

    /// <summary>A header: <paramref name="response"/> sets QR (and RD/RA, as a resolver's answer has them).</summary>
    public DnsPacketBuilder Header(ushort id, bool response, int rcode = 0, ushort questions = 1, ushort answers = 0, int opcode = 0)
    {
        ushort flags = (ushort)((response ? 0x8180 : 0x0100) | (opcode << 11) | (rcode & 0xF));
        U16(id).U16(flags).U16(questions).U16(answers).U16(0).U16(0);
        return this;
    }

    public DnsPacketBuilder Name(string name)
    {
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bytes = Encoding.ASCII.GetBytes(label);
            _bytes.Add((byte)bytes.Length);
            _bytes.AddRange(bytes);
        }
        _bytes.Add(0);
        return this;
    }

    /// <summary>Labels of a name followed by a compression pointer instead of the terminating zero.</summary>
    public DnsPacketBuilder NameThenPointer(string labels, int target)
    {
        foreach (var label in labels.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bytes = Encoding.ASCII.GetBytes(label);
            _bytes.Add((byte)bytes.Length);
            _bytes.AddRange(bytes);
        }
        return Pointer(target);
    }

    public DnsPacketBuilder Pointer(int target) => U16((ushort)(0xC000 | target));

    public DnsPacketBuilder Question(string name, ushort type = 1) => Name(name).U16(type).U16(1);

    /// <summary>An answer record whose owner is a pointer to <paramref name="ownerOffset"/> (12 = the question's name).</summary>
    public DnsPacketBuilder AnswerA(int ownerOffset, IPAddress address, uint ttl = 300)
    {
        var data = address.GetAddressBytes();
        return Pointer(ownerOffset).U16((ushort)(data.Length == 4 ? 1 : 28)).U16(1).U32(ttl).U16((ushort)data.Length).Raw(data);
    }

    public DnsPacketBuilder AnswerCname(int ownerOffset, string target, uint ttl = 300)
    {
        var encoded = new DnsPacketBuilder().Name(target).ToArray();
        return Pointer(ownerOffset).U16(5).U16(1).U32(ttl).U16((ushort)encoded.Length).Raw(encoded);
    }

    public DnsPacketBuilder U16(ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    public DnsPacketBuilder U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    public DnsPacketBuilder Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];

    /// <summary>A response to an A/AAAA question for <paramref name="name"/> with one answer per address.</summary>
    public static byte[] Response(string name, ushort id = 0x1234, uint ttl = 300, params IPAddress[] addresses)
    {
        var builder = new DnsPacketBuilder().Header(id, response: true, answers: (ushort)addresses.Length)
            .Question(name, (ushort)(addresses.Length > 0 && addresses[0].AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 28 : 1));
        foreach (var address in addresses)
        {
            builder.AnswerA(12, address, ttl);
        }
        return builder.ToArray();
    }

    public static byte[] Query(string name, ushort id = 0x1234, ushort type = 1) =>
        new DnsPacketBuilder().Header(id, response: false).Question(name, type).ToArray();
}
