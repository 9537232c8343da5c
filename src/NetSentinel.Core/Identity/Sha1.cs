using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace NetSentinel.Core.Identity;

/// <summary>
/// SHA-1 (FIPS 180-4) in managed code, on the stack. The Community ID hashes one short input per log line;
/// <see cref="System.Security.Cryptography.SHA1.HashData(ReadOnlySpan{byte}, Span{byte})"/> goes to OpenSSL on
/// Linux, whose per-call error-queue housekeeping (ERR_clear_error, allocations) cost more than the hash itself:
/// 9–10 % of the monitor's CPU with every connection logged (perf, bench/log-cost.sh). Pointers, not spans, inside
/// the compression: its bounds checks were half its cost. Not used for security: the Community ID only needs the
/// same digest every implementation computes (tested against the platform's SHA-1).
/// </summary>
public static class Sha1
{
    public const int HashSizeInBytes = 20;

    /// <summary>The SHA-1 digest of <paramref name="data"/> into <paramref name="digest"/> (at least 20 bytes).</summary>
    [SkipLocalsInit]
    public static unsafe void HashData(ReadOnlySpan<byte> data, Span<byte> digest)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digest.Length, HashSizeInBytes, nameof(digest));
        uint* state = stackalloc uint[5];
        state[0] = 0x67452301u;
        state[1] = 0xEFCDAB89u;
        state[2] = 0x98BADCFEu;
        state[3] = 0x10325476u;
        state[4] = 0xC3D2E1F0u;
        uint* schedule = stackalloc uint[80];
        MerkleDamgard.HashBlocks(data, state, schedule, &Compress);

        for (int i = 0; i < 5; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(digest.Slice(i * 4), state[i]);
        }
    }

    /// <summary>One 64-byte block into the state; <paramref name="w"/> is room for the 80-word schedule.</summary>
    private static unsafe void Compress(uint* state, byte* block, uint* w)
    {
        for (int t = 0; t < 16; t++)
        {
            w[t] = BinaryPrimitives.ReadUInt32BigEndian(new ReadOnlySpan<byte>(block + t * 4, 4));
        }
        for (int t = 16; t < 80; t++)
        {
            w[t] = BitOperations.RotateLeft(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
        }

        uint a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
        // The four rounds as four loops: no per-step branch on the round.
        for (int t = 0; t < 20; t++)
        {
            Step(ref a, ref b, ref c, ref d, ref e, ((b & c) | (~b & d)) + 0x5A827999u + w[t]);
        }
        for (int t = 20; t < 40; t++)
        {
            Step(ref a, ref b, ref c, ref d, ref e, (b ^ c ^ d) + 0x6ED9EBA1u + w[t]);
        }
        for (int t = 40; t < 60; t++)
        {
            Step(ref a, ref b, ref c, ref d, ref e, ((b & c) | (b & d) | (c & d)) + 0x8F1BBCDCu + w[t]);
        }
        for (int t = 60; t < 80; t++)
        {
            Step(ref a, ref b, ref c, ref d, ref e, (b ^ c ^ d) + 0xCA62C1D6u + w[t]);
        }

        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
    }

    /// <summary>One step: <paramref name="mixed"/> is f(b, c, d) + K + W[t] of the step's round.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(ref uint a, ref uint b, ref uint c, ref uint d, ref uint e, uint mixed)
    {
        uint next = BitOperations.RotateLeft(a, 5) + mixed + e;
        e = d;
        d = c;
        c = BitOperations.RotateLeft(b, 30);
        b = a;
        a = next;
    }
}
