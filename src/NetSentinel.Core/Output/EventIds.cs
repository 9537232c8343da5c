using System.Buffers.Binary;
using System.Security.Cryptography;

namespace NetSentinel.Core.Output;

/// <summary>
/// <c>event.id</c>: a UUIDv7 (RFC 9562) per line, time-ordered by its millisecond and unique without
/// coordination through its 74 random bits. <see cref="Guid.CreateVersion7()"/> asks the kernel for 16 random
/// bytes on every call (a getrandom system call per logged line); this takes them from a per-thread block that
/// one <see cref="RandomNumberGenerator.Fill"/> refills every 256 ids, and writes the text straight as UTF-8.
/// </summary>
internal static class EventIds
{
    /// <summary>Length of the text, <c>019ad3e2-5c1a-7b15-a18e-cf7325aa920a</c>.</summary>
    public const int Utf8Length = 36;

    private const int RandomBytesPerId = 10;
    private const int IdsPerRefill = 256;

    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_used;

    /// <summary>Writes a new id into <paramref name="utf8"/> (at least <see cref="Utf8Length"/> bytes).</summary>
    public static void Write(Span<byte> utf8, DateTimeOffset now)
    {
        byte[] random = t_random ??= new byte[RandomBytesPerId * IdsPerRefill];
        if (t_used == 0 || t_used == random.Length)
        {
            RandomNumberGenerator.Fill(random);
            t_used = 0;
        }

        ReadOnlySpan<byte> bits = random.AsSpan(t_used, RandomBytesPerId);
        t_used += RandomBytesPerId;

        Span<byte> id = stackalloc byte[16];
        long milliseconds = now.ToUnixTimeMilliseconds();
        BinaryPrimitives.WriteInt64BigEndian(id[..8], milliseconds << 16); // 48-bit timestamp, then rand_a's place
        id[6] = (byte)(0x70 | (bits[0] & 0x0F)); // version 7
        id[7] = bits[1];
        id[8] = (byte)(0x80 | (bits[2] & 0x3F)); // variant 10
        bits[3..].CopyTo(id[9..]);
        // 8-4-4-4-12 lower-case hex digits, as Guid formats "D", written here: Guid's formatting was most of an id's cost.
        int at = 0;
        for (int i = 0; i < 16; i++)
        {
            if (i is 4 or 6 or 8 or 10)
            {
                utf8[at++] = (byte)'-';
            }
            utf8[at++] = HexDigits[id[i] >> 4];
            utf8[at++] = HexDigits[id[i] & 0xF];
        }
    }

    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;
}
