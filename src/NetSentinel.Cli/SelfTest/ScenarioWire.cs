using System.Buffers.Binary;
using System.Net.Sockets;

namespace NetSentinel.Cli.SelfTest;

/// <summary>
/// The one exchange the self-test's TCP servers speak: the client sends 8 bytes (big-endian: how many bytes it wants
/// back), then whatever it uploads, then closes its sending side; the server reads to the end and answers with the
/// bytes asked for. One protocol covers an API call, a download, an upload and a heartbeat.
/// </summary>
public static class ScenarioWire
{
    public const int HeaderBytes = 8;
    /// <summary>What a UDP responder answers with: the size of an NTP reply.</summary>
    public const int UdpReplyBytes = 48;
    private const int Chunk = 64 * 1024;

    public static async Task SendRequest(Socket socket, long want, CancellationToken cancel)
    {
        var header = new byte[HeaderBytes];
        BinaryPrimitives.WriteInt64BigEndian(header, want);
        await socket.SendAsync(header, SocketFlags.None, cancel);
    }

    /// <summary>Reads the 8-byte request; -1 when the peer closed first.</summary>
    public static async Task<long> ReadRequest(Socket socket, CancellationToken cancel)
    {
        var header = new byte[HeaderBytes];
        int got = 0;
        while (got < HeaderBytes)
        {
            int n = await socket.ReceiveAsync(header.AsMemory(got), SocketFlags.None, cancel);
            if (n == 0)
            {
                return -1;
            }
            got += n;
        }
        return Math.Max(0, BinaryPrimitives.ReadInt64BigEndian(header));
    }

    /// <summary>Sends <paramref name="bytes"/> zero bytes, no faster than <paramref name="rate"/> bytes a second (0 = unpaced).</summary>
    public static async Task SendBytes(Socket socket, long bytes, long rate, CancellationToken cancel)
    {
        var buffer = new byte[Chunk];
        var started = DateTime.UtcNow;
        long sent = 0;
        while (sent < bytes)
        {
            int n = (int)Math.Min(buffer.Length, bytes - sent);
            sent += await socket.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, cancel);
            if (rate > 0)
            {
                var due = started + TimeSpan.FromSeconds((double)sent / rate);
                var wait = due - DateTime.UtcNow;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancel);
                }
            }
        }
    }

    /// <summary>Reads until the peer closes; the byte count.</summary>
    public static async Task<long> Drain(Socket socket, CancellationToken cancel)
    {
        var buffer = new byte[Chunk];
        long total = 0;
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel)) > 0)
        {
            total += n;
        }
        return total;
    }
}
