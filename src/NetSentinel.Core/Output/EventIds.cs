using System.Buffers.Binary;
using NetSentinel.Core.Identity;

namespace NetSentinel.Core.Output;

/// <summary>
/// <c>event.id</c>: a UUIDv7 (RFC 9562) per line, time-ordered by its millisecond and unique without
/// coordination through its 74 random bits. <see cref="Guid.CreateVersion7()"/> asks the kernel for 16 random
/// bytes on every call (a getrandom system call per logged line); this takes them from a per-thread block that
/// one <see cref="KernelRandom.Fill"/> refills every 4,096 ids, and writes the text straight as UTF-8.
/// </summary>
internal static class EventIds
{
    /// <summary>Length of the text, <c>019ad3e2-5c1a-7b15-a18e-cf7325aa920a</c>.</summary>
    public const int Utf8Length = 36;

    private const int RandomBytesPerId = 10;
    private const int IdsPerRefill = 4096; // 40 KB per formatting thread: Fill took ~3 µs for 256 ids, ~18 µs for 4,096 (a third per id)

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
            KernelRandom.Fill(random);
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
        // Each byte's place in the text from a table, the dashes at their places: no branch per byte.
        utf8 = utf8[..Utf8Length];
        ReadOnlySpan<byte> places = HexPlaces;
        ReadOnlySpan<byte> digits = HexDigits;
        for (int i = 0; i < 16; i++)
        {
            int at = places[i];
            utf8[at] = digits[id[i] >> 4];
            utf8[at + 1] = digits[id[i] & 0xF];
        }
        utf8[8] = utf8[13] = utf8[18] = utf8[23] = (byte)'-';
    }

    /// <summary>Where each of the 16 bytes' two digits go in <c>xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx</c>.</summary>
    private static ReadOnlySpan<byte> HexPlaces => [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;
}
