using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using NetSentinel.Core.Native;

namespace NetSentinel.Linux.Snapshot;

/// <summary>
/// Finds which process holds each socket inode by walking /proc/&lt;pid&gt;/fd and reading every link
/// ("socket:[N]"). This walk is the cost of a snapshot on a busy host, so it runs on raw getdents64
/// and readlinkat into reused native buffers: no string, no allocation per process or per fd.
/// </summary>
internal sealed unsafe class SocketOwnerScanner
{
    private const int DirentBufferSize = 64 * 1024;
    private const int LinkBufferSize = 64;
    private static ReadOnlySpan<byte> SocketPrefix => "socket:["u8;

    private readonly byte[] _procRoot;

    public SocketOwnerScanner(string procRoot)
    {
        _procRoot = Encoding.UTF8.GetBytes(procRoot + "\0");
    }

    /// <summary>
    /// Fills in the owner pid of every inode in <paramref name="owners"/> whose value is still 0 (the first
    /// process found wins when several share a socket). Returns how many fd directories were unreadable
    /// (EACCES: another user's process and we are not root).
    /// </summary>
    public int Scan(Dictionary<uint, int> owners)
    {
        int unreadable = 0;
        int procFd;
        fixed (byte* root = _procRoot) procFd = LibC.Open(root, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        if (procFd < 0) throw new InvalidOperationException($"cannot open {Encoding.UTF8.GetString(_procRoot.AsSpan(0, _procRoot.Length - 1))}: errno {Marshal.GetLastPInvokeError()}");

        byte* procEntries = (byte*)NativeMemory.Alloc(DirentBufferSize);
        byte* fdEntries = (byte*)NativeMemory.Alloc(DirentBufferSize);
        try
        {
            while (true)
            {
                nint read = LibC.GetDents64(procFd, procEntries, DirentBufferSize);
                if (read <= 0) break;
                for (nint offset = 0; offset < read;)
                {
                    byte* entry = procEntries + offset;
                    offset += *(ushort*)(entry + 16);
                    byte* name = entry + 19;
                    if (!TryParsePid(name, out int pid)) continue;
                    if (!ScanProcess(procFd, name, pid, fdEntries, owners)) unreadable++;
                }
            }
        }
        finally
        {
            NativeMemory.Free(procEntries);
            NativeMemory.Free(fdEntries);
            LibC.Close(procFd);
        }
        return unreadable;
    }

    /// <summary>Returns false when the fd directory exists but may not be read.</summary>
    private static bool ScanProcess(int procFd, byte* pidName, int pid, byte* entries, Dictionary<uint, int> owners)
    {
        // "<pid>/fd\0" relative to /proc; a pid has at most 10 digits.
        byte* path = stackalloc byte[24];
        int length = 0;
        while (pidName[length] != 0) { path[length] = pidName[length]; length++; }
        path[length++] = (byte)'/';
        path[length++] = (byte)'f';
        path[length++] = (byte)'d';
        path[length] = 0;

        int fdDir = LibC.OpenAt(procFd, path, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        if (fdDir < 0) return Marshal.GetLastPInvokeError() != LibC.EACCES; // ENOENT: the process just exited

        byte* link = stackalloc byte[LinkBufferSize];
        try
        {
            while (true)
            {
                nint read = LibC.GetDents64(fdDir, entries, DirentBufferSize);
                if (read <= 0) return true;
                for (nint offset = 0; offset < read;)
                {
                    byte* entry = entries + offset;
                    offset += *(ushort*)(entry + 16);
                    byte* name = entry + 19;
                    if (name[0] == (byte)'.') continue;
                    nint linkLength = LibC.ReadLinkAt(fdDir, name, link, LinkBufferSize);
                    if (linkLength <= 0 || !TryParseSocketInode(new ReadOnlySpan<byte>(link, (int)linkLength), out uint inode)) continue;
                    ref int owner = ref CollectionsMarshal.GetValueRefOrNullRef(owners, inode);
                    if (!Unsafe.IsNullRef(ref owner) && owner == 0) owner = pid;
                }
            }
        }
        finally
        {
            LibC.Close(fdDir);
        }
    }

    private static bool TryParsePid(byte* name, out int pid)
    {
        pid = 0;
        if (name[0] == 0) return false;
        for (int i = 0; name[i] != 0; i++)
        {
            uint digit = (uint)(name[i] - '0');
            if (digit > 9 || i >= 10) return false;
            pid = (pid * 10) + (int)digit;
        }
        return pid > 0;
    }

    /// <summary>Parses "socket:[12345]"; anything else (files, pipes, anon inodes) is not a socket.</summary>
    internal static bool TryParseSocketInode(ReadOnlySpan<byte> link, out uint inode)
    {
        inode = 0;
        if (!link.StartsWith(SocketPrefix) || link[^1] != (byte)']') return false;
        ReadOnlySpan<byte> digits = link[SocketPrefix.Length..^1];
        if (digits.IsEmpty || digits.Length > 10) return false;
        ulong value = 0;
        foreach (byte b in digits)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9) return false;
            value = (value * 10) + digit;
        }
        if (value > uint.MaxValue) return false;
        inode = (uint)value;
        return true;
    }
}
