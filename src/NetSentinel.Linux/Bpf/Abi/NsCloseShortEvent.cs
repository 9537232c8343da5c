using System.Runtime.InteropServices;

namespace NetSentinel.Linux.Bpf.Abi;

/// <summary>
/// Mirror of <c>struct ns_close_short_event</c>: a tracked TCP socket whose connect record was written reached CLOSE.
/// Its task and endpoints are the connect record's, found by <see cref="ConnId"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NsCloseShortEvent
{
    public NsHeader Header;
    public ulong ConnId;
    public ulong DurationNs;
    public ulong BytesSent;
    public ulong BytesReceived;
    public uint Flags;
    public uint Pad0;
}
