using System.Buffers.Text;
using System.Text;
using NetSentinel.Core.Native;

namespace NetSentinel.Linux.Processes;

/// <summary>
/// The identity facts /proc gives for one live process: /proc/PID/stat (name, parent, start in clock ticks),
/// /proc/PID/cgroup (the cgroup v2 path) and /proc/PID/ns/net (the network namespace inode). Plain open/read
/// and readlink: a process is often gone by the time it is asked about, and that is an answer (null), not an error.
/// </summary>
public sealed class ProcIdentityReader(string procRoot = "/proc")
{
    private readonly byte[] _buffer = new byte[4096]; // reused: one reader per catalog, single-threaded

    public ProcStat? ReadStat(uint pid)
    {
        int length = ReadFile($"{procRoot}/{pid}/stat");
        return length > 0 && ProcStat.TryParse(_buffer.AsSpan(0, length), out ProcStat stat) ? stat : null;
    }

    /// <summary>The cgroup v2 path: the "0::" line of /proc/PID/cgroup (hybrid and unified hierarchies both have it).</summary>
    public string? ReadCgroupPath(uint pid)
    {
        int length = ReadFile($"{procRoot}/{pid}/cgroup");
        foreach (string line in Encoding.UTF8.GetString(_buffer, 0, Math.Max(length, 0)).Split('\n'))
        {
            if (line.StartsWith("0::", StringComparison.Ordinal))
            {
                return line[3..];
            }
        }

        return null;
    }

    /// <summary>The inode in the link "net:[4026531840]".</summary>
    public unsafe ulong? ReadNetworkNamespace(uint pid)
    {
        fixed (byte* buffer = _buffer)
        {
            nint n = LibC.ReadLink($"{procRoot}/{pid}/ns/net", buffer, (nuint)_buffer.Length);
            if (n <= 0) return null;
            ReadOnlySpan<byte> link = _buffer.AsSpan(0, (int)n);
            int open = link.IndexOf((byte)'[');
            int close = link.LastIndexOf((byte)']');
            return open >= 0 && close > open && Utf8Parser.TryParse(link[(open + 1)..close], out ulong inode, out int consumed) && consumed == close - open - 1
                ? inode
                : null;
        }
    }

    /// <summary>When this machine booted, on the wall clock: now minus /proc/uptime. Process start ticks count from it.</summary>
    public DateTimeOffset? ReadBootTime()
    {
        int length = ReadFile($"{procRoot}/uptime");
        string text = Encoding.ASCII.GetString(_buffer, 0, Math.Max(length, 0));
        int space = text.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && double.TryParse(text.AsSpan(0, space), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double seconds)
            ? DateTimeOffset.UtcNow - TimeSpan.FromSeconds(seconds)
            : null;
    }

    private unsafe int ReadFile(string path)
    {
        int fd = LibC.Open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0) return -1;
        try
        {
            int length = 0;
            while (length < _buffer.Length)
            {
                nint n;
                fixed (byte* buffer = &_buffer[length])
                    n = LibC.Read(fd, buffer, (nuint)(_buffer.Length - length));
                if (n < 0) return -1;
                if (n == 0) break;
                length += (int)n;
            }

            return length;
        }
        finally
        {
            LibC.Close(fd);
        }
    }
}
