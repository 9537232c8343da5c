using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Abi;

/// <summary>Mirror of <c>struct ns_close_event</c>: a tracked TCP socket whose connect record was not written reached CLOSE; it carries the identity.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NsCloseEvent
{
    public NsHeader Header;
    public ulong ConnId;
    public ulong DurationNs;
    public ulong BytesSent;
    public ulong BytesReceived;
    public NsTask Task;
    public uint Flags;
    public uint Pad0;
    public NsEndpoints Ends;
}
