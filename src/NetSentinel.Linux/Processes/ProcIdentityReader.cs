using System.Buffers.Text;
using System.Text;
using NetSentinel.Core.Native;
using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Bpf.Abi;

namespace NetSentinel.Linux.Processes;

/// <summary>
/// The one reader of /proc for a live process: /proc/PID/stat (name, parent, start in clock ticks), status (real
/// uid), exe (its path, and the device and inode of the file it names), cmdline (argv, cut where the eBPF source's
/// capture cuts it), cgroup (the cgroup v2 path) and ns/net (the network namespace inode). The eBPF catalog and
/// the snapshot both read through it, so they name a process the same way. Plain open/read and readlink: a process
/// is often gone by the time it is asked about, and that is an answer (null), not an error — File.ReadAllBytes
/// reports it with an exception whose unwinding cost the monitor a fifth of its CPU in a process-spawn storm.
/// Not thread-safe: its buffers are reused.
/// </summary>
public sealed class ProcIdentityReader(string procRoot = "/proc")
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset?> s_bootTimes = new();

    private readonly byte[] _buffer = new byte[4096]; // PATH_MAX, and more than stat or status needs
    private readonly byte[] _cmdline = new byte[NsAbi.ArgsLength + 1];

    public ProcStat? ReadStat(uint pid)
    {
        int length = ReadFile($"{procRoot}/{pid}/stat");
        return length > 0 && ProcStat.TryParse(_buffer.AsSpan(0, length), out ProcStat stat) ? stat : null;
    }

    /// <summary>The real uid (the first number of status's "Uid:" line); -1 when unknown.</summary>
    public long ReadRealUid(uint pid)
    {
        int length = ReadFile($"{procRoot}/{pid}/status");
        return length > 0 ? ParseRealUid(_buffer.AsSpan(0, length)) : -1;
    }

    /// <summary>The first number of the "Uid:" line (real, effective, saved, fs); -1 when absent.</summary>
    internal static long ParseRealUid(ReadOnlySpan<byte> status)
    {
        ReadOnlySpan<byte> key = "\nUid:"u8;
        int at = status.IndexOf(key);
        if (at < 0) return -1;
        ReadOnlySpan<byte> rest = status[(at + key.Length)..].TrimStart("\t "u8);
        return Utf8Parser.TryParse(rest, out uint uid, out _) ? uid : -1;
    }

    /// <summary>The exe link's target without " (deleted)"; null when gone already or a kernel thread.</summary>
    public unsafe string? ReadExecutable(uint pid)
    {
        fixed (byte* buffer = _buffer)
        {
            nint n = LibC.ReadLink($"{procRoot}/{pid}/exe", buffer, (nuint)_buffer.Length);
            if (n <= 0 || n >= _buffer.Length) return null;
            string target = Encoding.UTF8.GetString(buffer, (int)n);
            const string Deleted = " (deleted)";
            return target.EndsWith(Deleted, StringComparison.Ordinal) ? target[..^Deleted.Length] : target;
        }
    }

    /// <summary>
    /// argv as the eBPF source captures it at exec: the first <see cref="NsAbi.ArgsLength"/> bytes of the argument area,
    /// marked truncated when there is more, so a process reads the same from either source. Null when empty or unreadable.
    /// </summary>
    public unsafe ProcArguments? ReadArguments(uint pid)
    {
        int fd = LibC.Open($"{procRoot}/{pid}/cmdline", LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0) return null;
        try
        {
            // One byte past the cap says whether there is more; the kernel may hand cmdline out in page-sized reads.
            int length = 0;
            while (length <= NsAbi.ArgsLength)
            {
                nint n;
                fixed (byte* buffer = &_cmdline[length])
                    n = LibC.Read(fd, buffer, (nuint)(NsAbi.ArgsLength + 1 - length));
                if (n < 0) return null;
                if (n == 0) break;
                length += (int)n;
            }

            bool truncated = length > NsAbi.ArgsLength;
            ReadOnlySpan<byte> argv = _cmdline.AsSpan(0, Math.Min(length, NsAbi.ArgsLength));
            IReadOnlyList<string>? args = CommandLineDecoder.SplitArgs(argv);
            return args is null ? null : new ProcArguments(args, CommandLineDecoder.Decode(argv)!, truncated);
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>
    /// Device and inode of the file the process executes: stat through the /proc/PID/exe link, which names the mapped
    /// file itself (also when it was deleted or replaced), as the kernel's <c>mm->exe_file</c> does. Null when gone.
    /// </summary>
    public unsafe (ulong Device, ulong Inode)? ReadExecutableFile(uint pid)
    {
        const int AtFdCwd = -100;
        const uint StatxIno = 0x100;
        byte* buffer = stackalloc byte[256];
        if (LibC.Statx(AtFdCwd, $"{procRoot}/{pid}/exe", 0, StatxIno, buffer) != 0) return null;
        ulong inode = *(ulong*)(buffer + 32); // stx_ino
        uint major = *(uint*)(buffer + 136), minor = *(uint*)(buffer + 140); // stx_dev_major, stx_dev_minor
        return (ExecIdentity.UserDevice((major << 20) | minor), inode);
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

    /// <summary>
    /// When this machine booted, on the wall clock: now minus /proc/uptime, taken once per /proc for the life of this
    /// process. Process start ticks count from it; every reader (the eBPF catalog, the snapshot, the poller) dates them
    /// from the same instant, so one process has one <c>process.start</c> in all of them (two readings of now minus the
    /// uptime differ by milliseconds).
    /// </summary>
    public DateTimeOffset? ReadBootTime() => s_bootTimes.GetOrAdd(procRoot, _ => ReadBootTimeNow());

    private DateTimeOffset? ReadBootTimeNow()
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
