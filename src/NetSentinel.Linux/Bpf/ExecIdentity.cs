using System.Buffers;
using System.Text;
using NetSentinel.Core.Identity;
using NetSentinel.Linux.Bpf.Abi;
using NetSentinel.Linux.Processes;

namespace NetSentinel.Linux.Bpf;

/// <summary>
/// What the kernel's exec record says a process is: the file it executes (path, device, inode, resolved in the kernel
/// from <c>mm->exe_file</c>, so no symlink repointed later and no relative path can name another file) and its
/// command line as exec laid it out. Both may be cut where the kernel's bounds end; then they say so.
/// </summary>
public sealed record ExecIdentity
{
    /// <summary>The marker a path starts with when its top did not fit (the kernel walks from the file up).</summary>
    public const string TruncatedPathMarker = "…";

    /// <summary>Absolute path; when <see cref="ExecutableTruncated"/>, the marker followed by its last components.</summary>
    public string? Executable { get; init; }
    public bool ExecutableTruncated { get; init; }
    /// <summary>st_dev as stat(2) reports it.</summary>
    public ulong? Device { get; init; }
    public ulong? Inode { get; init; }
    public IReadOnlyList<string>? Args { get; init; }
    public string? CommandLine { get; init; }
    public bool CommandLineTruncated { get; init; }
    /// <summary>The process's start in clock ticks since boot (what /proc/PID/stat's starttime says).</summary>
    public ulong? StartTicks { get; init; }

    /// <summary>
    /// Decodes an exec record's fixed part and the argv bytes that follow it; with <paramref name="text"/>, a path and
    /// arguments that recent records had too come back as the same strings.
    /// </summary>
    internal static unsafe ExecIdentity From(in NsExecEvent exec, ReadOnlySpan<byte> argv, RecentText? text = null)
    {
        bool noFile = (exec.Flags & NsAbi.ExecNoFile) != 0;
        bool pathCut = (exec.Flags & NsAbi.ExecPathTruncated) != 0;
        string? path;
        fixed (byte* bytes = exec.Path)
            path = noFile ? null : PathFromLeafFirst(new ReadOnlySpan<byte>(bytes, (int)Math.Min(exec.PathLen, (uint)(NsAbi.PathLength + NsAbi.NameLength))), pathCut, text);
        argv = argv[..(int)Math.Min((uint)argv.Length, exec.ArgsLen)];
        return new ExecIdentity
        {
            Executable = path,
            ExecutableTruncated = path is not null && pathCut,
            Device = noFile ? null : UserDevice(exec.ExeDev),
            Inode = noFile ? null : exec.ExeInode,
            Args = CommandLineDecoder.SplitArgs(argv, text),
            CommandLine = CommandLineDecoder.Decode(argv),
            CommandLineTruncated = (exec.Flags & NsAbi.ExecArgsTruncated) != 0,
            StartTicks = exec.StartBoottimeNs == 0 ? null : EntityId.TicksFromBootNanoseconds(exec.StartBoottimeNs),
        };
    }

    /// <summary>"x\0chronyd\0bin\0" → "/bin/chronyd/x"; cut at the top → "…/chronyd/x". Null when there is no component.</summary>
    internal static string? PathFromLeafFirst(ReadOnlySpan<byte> components, bool truncated, RecentText? text = null)
    {
        // The path's UTF-8 bytes, top first, then decoded once: '/' ends an invalid sequence as a component's end would.
        int length = truncated ? Marker.Length : 0, count = 0;
        foreach (Range range in components.Split((byte)0))
        {
            if (components[range].IsEmpty) continue;
            length += 1 + (range.End.GetOffset(components.Length) - range.Start.GetOffset(components.Length));
            count++;
        }
        if (count == 0) return truncated ? null : "/";
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Span<byte> path = buffer.AsSpan(0, length);
            int at = length;
            foreach (Range range in components.Split((byte)0))
            {
                ReadOnlySpan<byte> name = components[range];
                if (name.IsEmpty) continue;
                at -= name.Length;
                name.CopyTo(path[at..]);
                path[--at] = (byte)'/';
            }
            if (truncated) Marker.CopyTo(path);
            return text is null ? Encoding.UTF8.GetString(path) : text.Utf8(path);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ReadOnlySpan<byte> Marker => "…"u8;

    /// <summary>The kernel's dev_t (major &lt;&lt; 20 | minor) as glibc's makedev encodes it for stat(2).</summary>
    internal static ulong UserDevice(uint kernelDevice)
    {
        ulong major = kernelDevice >> 20, minor = kernelDevice & 0xfffff;
        return ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & ~0xffUL) << 12) | ((major & ~0xfffUL) << 32);
    }
}
