using System.Buffers.Binary;
using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Identity;

/// <summary>
/// Community ID v1 (https://github.com/corelight/community-id-spec): the flow hash Zeek, Suricata,
/// Packetbeat and Arkime write as <c>network.community_id</c>, so a host record joins the network
/// sensor's record of the same flow. SHA-1 over seed, the endpoints ordered so that both directions
/// hash alike, the protocol and a zero byte, then the ports; "1:" + base64.
/// </summary>
public static class CommunityId
{
    public const byte Tcp = 6;
    public const byte Udp = 17;

    /// <summary>The id of a port-bearing flow (TCP, UDP, SCTP; ICMP with type/code mapped to ports).</summary>
    public static string Compute(IPAddress source, int sourcePort, IPAddress destination, int destinationPort, byte protocol, ushort seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sourcePort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sourcePort, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfNegative(destinationPort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(destinationPort, ushort.MaxValue);
        return Text(source, destination, protocol, seed, ((ushort)sourcePort, (ushort)destinationPort));
    }

    /// <summary>Longest id as UTF-8: "1:" and the base64 of a 20-byte SHA-1.</summary>
    public const int MaxUtf8Length = 2 + 28;

    /// <summary>
    /// <see cref="Compute"/> written as UTF-8 into <paramref name="utf8"/> (at least <see cref="MaxUtf8Length"/> bytes),
    /// without a string: the log writes one per connection line. Returns the bytes written.
    /// </summary>
    public static int Format(Span<byte> utf8, IPAddress source, int sourcePort, IPAddress destination, int destinationPort, byte protocol, ushort seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sourcePort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sourcePort, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfNegative(destinationPort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(destinationPort, ushort.MaxValue);
        return Hash(utf8, source, destination, protocol, seed, ((ushort)sourcePort, (ushort)destinationPort));
    }

    /// <summary>The id of a flow of a protocol without ports: addresses and protocol only.</summary>
    public static string ComputeWithoutPorts(IPAddress source, IPAddress destination, byte protocol, ushort seed = 0) =>
        Text(source, destination, protocol, seed, ports: null);

    private static string Text(IPAddress source, IPAddress destination, byte protocol, ushort seed, (ushort Source, ushort Destination)? ports)
    {
        Span<byte> utf8 = stackalloc byte[MaxUtf8Length];
        int length = Hash(utf8, source, destination, protocol, seed, ports);
        return Encoding.ASCII.GetString(utf8[..length]);
    }

    private static int Hash(Span<byte> utf8, IPAddress source, IPAddress destination, byte protocol, ushort seed, (ushort Source, ushort Destination)? ports)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        source = CanonicalAddress.Of(source);
        destination = CanonicalAddress.Of(destination);
        if (source.AddressFamily != destination.AddressFamily)
        {
            throw new ArgumentException($"a flow has one address family: {source} and {destination} differ", nameof(destination));
        }

        int addressLength = source.AddressFamily == AddressFamily.InterNetwork ? 4 : 16;
        Span<byte> low = stackalloc byte[addressLength];
        Span<byte> high = stackalloc byte[addressLength];
        source.TryWriteBytes(low, out _);
        destination.TryWriteBytes(high, out _);

        ushort lowPort = ports?.Source ?? 0;
        ushort highPort = ports?.Destination ?? 0;
        int order = low.SequenceCompareTo(high);
        if (order > 0 || (order == 0 && lowPort > highPort))
        {
            // The numerically smaller address (then port) goes first: both directions hash alike.
            Span<byte> swap = stackalloc byte[addressLength];
            low.CopyTo(swap);
            high.CopyTo(low);
            swap.CopyTo(high);
            (lowPort, highPort) = (highPort, lowPort);
        }

        Span<byte> input = stackalloc byte[2 + 2 * 16 + 2 + 4];
        int at = 0;
        BinaryPrimitives.WriteUInt16BigEndian(input[at..], seed);
        at += 2;
        low.CopyTo(input[at..]);
        at += addressLength;
        high.CopyTo(input[at..]);
        at += addressLength;
        input[at++] = protocol;
        input[at++] = 0;
        if (ports is not null)
        {
            BinaryPrimitives.WriteUInt16BigEndian(input[at..], lowPort);
            at += 2;
            BinaryPrimitives.WriteUInt16BigEndian(input[at..], highPort);
            at += 2;
        }

        Span<byte> digest = stackalloc byte[Sha1.HashSizeInBytes];
        Sha1.HashData(input[..at], digest); // managed: OpenSSL's per-call overhead was most of a line's hashing cost
        "1:"u8.CopyTo(utf8);
        Base64.EncodeToUtf8(digest, utf8[2..], out _, out int written);
        return 2 + written;
    }

    /// <summary>An IPv4-mapped IPv6 address is the IPv4 peer on the wire, and a network sensor hashes it as one.</summary>
}
