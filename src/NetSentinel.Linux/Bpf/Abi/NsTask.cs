using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Abi;

/// <summary>Mirror of <c>struct ns_task</c>: the task behind an event, captured in its own context.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NsTask
{
    public ulong CgroupId;
    public uint Tgid;
    public uint Pid;
    public uint Ppid;
    public uint Uid;
    public fixed byte Comm[NsAbi.CommLength];
}
