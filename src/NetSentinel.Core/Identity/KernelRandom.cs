using System.Runtime.InteropServices;
using System.Security.Cryptography;
using NetSentinel.Core.Native;

namespace NetSentinel.Core.Identity;

/// <summary>
/// Cryptographically strong random bytes. On Linux straight from getrandom(2): <see cref="RandomNumberGenerator"/> is
/// OpenSSL's RAND_bytes there, and event ids were all the monitor loaded libcrypto and libssl for (~3.5 MB of its RSS
/// once touched). Elsewhere, or on a kernel without getrandom, <see cref="RandomNumberGenerator"/>.
/// </summary>
public static class KernelRandom
{
    public static unsafe void Fill(Span<byte> bytes)
    {
        if (OperatingSystem.IsLinux())
        {
            fixed (byte* start = bytes)
            {
                int done = 0;
                while (done < bytes.Length)
                {
                    nint got = LibC.GetRandom(start + done, (nuint)(bytes.Length - done), 0);
                    if (got > 0) done += (int)got; // a read past 256 bytes may end early at a signal
                    else if (got < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR) continue;
                    else break;
                }
                if (done == bytes.Length) return;
            }
        }
        RandomNumberGenerator.Fill(bytes);
    }
}
