using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Abi;

/// <summary>Mirror of <c>struct ns_exec_event</c>: a successful execve. The record continues with <see cref="ArgsLen"/> bytes of argv.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NsExecEvent
{
    public NsHeader Header;
    public NsTask Task;
    public ulong StartBoottimeNs;
    public ulong ExeInode;
    public uint ExeDev;
    public uint Flags;
    public uint PathLen;
    public uint ArgsLen;
    public fixed byte Path[NsAbi.PathLength + NsAbi.NameLength];
}
