using System.Runtime.InteropServices;
using NetSentinel.Core.Native;

namespace NetSentinel.Core.Output.Pipeline;

/// <summary>
/// A Unix file descriptor such as stdout (1), written with write(2) directly. Not through
/// System.Console: its streams share one lock, so a stdout pipe nobody reads would also block every
/// stderr line of the monitor.
/// </summary>
public sealed class DescriptorBatchWriter(int fd) : IBatchWriter
{
    public unsafe void Write(ReadOnlySpan<byte> lines)
    {
        fixed (byte* start = lines)
        {
            int written = 0;
            while (written < lines.Length)
            {
                nint n = LibC.Write(fd, start + written, (nuint)(lines.Length - written));
                if (n > 0)
                {
                    written += (int)n;
                    continue;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (n < 0 && errno == LibC.EINTR) continue;
                throw new IOException($"write to descriptor {fd} failed: {(n == 0 ? "no bytes accepted" : Marshal.GetPInvokeErrorMessage(errno))}");
            }
        }
    }

    public void Dispose()
    {
    }
}
