using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Abi;

/// <summary>Mirror of <c>struct ns_exit_event</c>: the last thread of a process exited.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NsExitEvent
{
    public NsHeader Header;
    public NsTask Task;
}
