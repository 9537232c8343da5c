using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Abi;

/// <summary>Mirror of <c>struct ns_sock_state</c>: a value of the socket map, read in batches each interval.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NsSockState
{
    public ulong ConnId;
    public ulong StartNs;
    public ulong BytesSent;
    public ulong BytesReceived;
    public NsTask Task;
    public uint Flags;
    public uint Pad0;
    public NsEndpoints Ends;
}
