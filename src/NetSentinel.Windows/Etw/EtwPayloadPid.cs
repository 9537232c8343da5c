using System.Buffers.Binary;

namespace NetSentinel.Windows.Etw;

/// <summary>
/// The owning pid of a kernel TcpIp/UdpIp event. The event header's pid is whatever process the
/// kernel happened to run in (often System, or -1), so the payload's own PID field is the truth:
/// from version 1 on it is the first DWORD of every TcpIp/UdpIp payload. Version 0 (pre-Vista) put
/// it elsewhere; there we fall back to the pid TraceEvent's fix-up already copied into the header.
/// </summary>
internal static class EtwPayloadPid
{
    public static int Read(ReadOnlySpan<byte> payload, int version, int fixedUpHeaderPid) =>
        version >= 1 && payload.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(payload) : fixedUpHeaderPid;
}
