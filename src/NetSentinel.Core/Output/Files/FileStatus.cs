using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NetSentinel.Core.Native;

namespace NetSentinel.Core.Output.Files;

/// <summary>
/// What an open file or a path is, from statx(2): its type, identity (device and inode), link count, owner, group and permissions.
/// Linux only; elsewhere <see cref="TryOf(SafeFileHandle, out FileStatus)"/> says false and callers skip the check.
/// </summary>
internal readonly record struct FileStatus(ulong Device, ulong Inode, uint Links, uint OwnerUid, uint Mode, long Size, uint GroupId)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint BasicStats = 0x7ff;
    private const int BufferSize = 256;
    private const uint TypeMask = 0xF000;

    /// <summary>The permission bits (rwx for owner, group, others; setuid, setgid, sticky).</summary>
    public int Permissions => (int)(Mode & 0xFFF);

    public bool IsRegular => (Mode & TypeMask) == 0x8000;

    public bool IsDirectory => (Mode & TypeMask) == 0x4000;

    /// <summary>A Unix domain socket (S_IFSOCK).</summary>
    public bool IsSocket => (Mode & TypeMask) == 0xC000;

    /// <summary>Mode bit S_IWOTH: anyone may create and remove entries (a directory) or write (a file).</summary>
    public bool OthersMayWrite => (Mode & 0x2) != 0;

    /// <summary>Mode bit S_IWGRP.</summary>
    public bool GroupMayWrite => (Mode & 0x10) != 0;

    /// <summary>Mode bit S_ISVTX: in a sticky directory only an entry's owner may remove or rename it.</summary>
    public bool IsSticky => (Mode & 0x200) != 0;

    /// <summary>"a FIFO", "a directory", ... for messages.</summary>
    public string TypeName => (Mode & TypeMask) switch
    {
        0x8000 => "a regular file",
        0x4000 => "a directory",
        0x1000 => "a FIFO",
        0x2000 => "a character device",
        0x6000 => "a block device",
        0xA000 => "a symbolic link",
        0xC000 => "a socket",
        _ => "not a regular file",
    };

    public bool SameFileAs(FileStatus other) => Device == other.Device && Inode == other.Inode;

    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>The open file's status (fstat).</summary>
    public static bool TryOf(SafeFileHandle handle, out FileStatus status)
    {
        ArgumentNullException.ThrowIfNull(handle);
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return TryStatx((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath, out status, out _);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// The status of the entry at <paramref name="path"/> (itself, unless <paramref name="followLinks"/>);
    /// <paramref name="errno"/> says why not.
    /// </summary>
    public static bool TryOfPath(string path, out FileStatus status, out int errno, bool followLinks = false) =>
        TryStatx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, out status, out errno);

    private static unsafe bool TryStatx(int directoryFd, string path, int flags, out FileStatus status, out int errno)
    {
        status = default;
        errno = 0;
        if (!IsSupported)
        {
            return false;
        }
        byte* buffer = stackalloc byte[BufferSize];
        if (LibC.Statx(directoryFd, path, flags, BasicStats, buffer) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return false;
        }
        var bytes = new ReadOnlySpan<byte>(buffer, BufferSize);
        // struct statx: stx_nlink @16, stx_uid @20, stx_gid @24, stx_mode @28 (u16), stx_ino @32, stx_size @40, stx_dev_major @136, stx_dev_minor @140.
        ulong device = ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(bytes[136..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(bytes[140..]);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("statx decoding assumes a little-endian machine");
        }
        status = new FileStatus(
            device,
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[32..]),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[20..]),
            BinaryPrimitives.ReadUInt16LittleEndian(bytes[28..]),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes[40..]),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[24..]));
        return true;
    }
}
