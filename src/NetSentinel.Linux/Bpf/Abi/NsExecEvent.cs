using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Abi;

/// <summary>Mirror of <c>struct ns_exec_event</c>: a successful execve.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NsExecEvent
{
    public NsHeader Header;
    public NsTask Task;
    public fixed byte Filename[NsAbi.PathLength];
}
