using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Abi;

/// <summary>Mirror of <c>struct ns_fork_event</c>: a new process, with the parent that started it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NsForkEvent
{
    public NsHeader Header;
    public NsTask Task;
    public uint ChildTgid;
    public uint Pad0;
    /// <summary>The child's task->start_boottime: /proc/PID/stat's starttime in nanoseconds.</summary>
    public ulong ChildStartBoottimeNs;
}
