using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Abi;

/// <summary>Mirror of <c>struct ns_open_event</c>: a TCP connect or the first datagram of a UDP flow.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NsOpenEvent
{
    public NsHeader Header;
    public ulong ConnId;
    public NsTask Task;
    public NsEndpoints Ends;
    /// <summary>A new UDP flow's socket's routing inputs, for the source address of an unbound socket; zero otherwise.</summary>
    public NsSockRoute Route;
}
