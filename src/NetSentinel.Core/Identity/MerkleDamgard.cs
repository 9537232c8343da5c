using System.Buffers.Binary;

namespace NetSentinel.Core.Identity;

/// <summary>
/// The block loop SHA-1 and SHA-256 share (FIPS 180-4, 5.1.1): every whole 64-byte block, then the tail with the 0x80
/// marker and the message length in bits, big-endian, in one block or two when the tail leaves no room.
/// </summary>
internal static unsafe class MerkleDamgard
{
    /// <summary>Runs <paramref name="compress"/>(state, block, schedule) over each block of <paramref name="data"/>, padded.</summary>
    public static void HashBlocks(ReadOnlySpan<byte> data, uint* state, uint* schedule, delegate*<uint*, byte*, uint*, void> compress)
    {
        int whole = data.Length & ~63;
        fixed (byte* input = data)
        {
            for (int at = 0; at < whole; at += 64)
            {
                compress(state, input + at, schedule);
            }
        }

        byte* last = stackalloc byte[128];
        var lastBlocks = new Span<byte>(last, 128);
        lastBlocks.Clear();
        ReadOnlySpan<byte> tail = data[whole..];
        tail.CopyTo(lastBlocks);
        last[tail.Length] = 0x80;
        int blocks = tail.Length + 1 + 8 <= 64 ? 1 : 2;
        BinaryPrimitives.WriteUInt64BigEndian(lastBlocks.Slice(blocks * 64 - 8), (ulong)data.Length * 8);
        for (int b = 0; b < blocks; b++)
        {
            compress(state, last + b * 64, schedule);
        }
    }
}
