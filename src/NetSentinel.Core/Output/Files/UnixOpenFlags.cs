using System.Runtime.InteropServices;

namespace NetSentinel.Core.Output.Files;

/// <summary>open(2) flag values, which differ between kernels and, for O_NOFOLLOW, between Linux architectures (errno values: LibC.errno).</summary>
/// <param name="TempFile">O_TMPFILE (with its O_DIRECTORY bit): an unnamed file in a directory, named later by linkat; 0 where there is none (macOS).</param>
internal readonly record struct UnixOpenFlags(int ReadWrite, int WriteOnly, int Create, int Exclusive, int Append, int NonBlock, int NoFollow, int CloseOnExec, int TempFile = 0)
{
    public static UnixOpenFlags Current { get; } = Detect();

    /// <summary>
    /// O_NONBLOCK makes a FIFO planted at the log path fail (ENXIO) instead of hanging us forever;
    /// on a regular file it changes nothing.
    /// Read as well as write: a partial last line left by a crash is found (pread) and cut at open.
    /// </summary>
    public int ForLog(bool mustCreate) =>
        ReadWrite | Create | Append | NonBlock | NoFollow | CloseOnExec | (mustCreate ? Exclusive : 0);

    /// <summary>Opening a log that exists, creating nothing (a missing one is then made complete before it gets its name).</summary>
    public int ForExistingLog() => ReadWrite | Append | NonBlock | NoFollow | CloseOnExec;

    /// <summary>An unnamed new log in a directory (O_TMPFILE), to be given its group and mode before linkat names it.</summary>
    public int ForUnnamedLog() => ReadWrite | Append | CloseOnExec | TempFile;

    /// <summary>
    /// Reading an input (configuration, block list, replayed log): O_NONBLOCK so a FIFO at the path opens at
    /// once (and is then refused as not a regular file) instead of waiting forever for a writer.
    /// </summary>
    public int ForInput() => NonBlock | CloseOnExec;

    private static UnixOpenFlags Detect()
    {
        if (OperatingSystem.IsMacOS())
        {
            return new UnixOpenFlags(ReadWrite: 0x2, WriteOnly: 0x1, Create: 0x200, Exclusive: 0x800, Append: 0x8, NonBlock: 0x4, NoFollow: 0x100, CloseOnExec: 0x1000000);
        }

        // Linux: arm, arm64 and powerpc define O_NOFOLLOW as 0100000; the generic value is 0400000.
        // O_DIRECTORY likewise: 040000 there, 0200000 elsewhere; O_TMPFILE is __O_TMPFILE (020000000) | O_DIRECTORY.
        bool armOrPower = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le;
        int noFollow = armOrPower ? 0x8000 : 0x20000;
        int directory = armOrPower ? 0x4000 : 0x10000;
        return new UnixOpenFlags(ReadWrite: 0x2, WriteOnly: 0x1, Create: 0x40, Exclusive: 0x80, Append: 0x400, NonBlock: 0x800, NoFollow: noFollow, CloseOnExec: 0x80000,
            TempFile: 0x400000 | directory);
    }
}
