using NetSentinel.Core.Model;

namespace NetSentinel.Windows.Etw;

/// <summary>
/// Opcodes of the classic kernel TcpIp (task 7) and UdpIp (task 8) events, from the kernel's MOF
/// classes (the same numbers TraceEvent's KernelTraceEventParser registers). IPv6 variants have
/// their own opcodes, 16 above the IPv4 ones.
/// </summary>
internal static class EtwOpcodeClassifier
{
    public static EtwNetworkOpcode Classify(Transport task, int opcode) => task switch
    {
        Transport.Tcp => opcode switch
        {
            10 or 26 => EtwNetworkOpcode.Send,
            11 or 27 => EtwNetworkOpcode.Receive,
            12 or 28 => EtwNetworkOpcode.Connect,
            13 or 29 => EtwNetworkOpcode.Disconnect,
            14 or 30 => EtwNetworkOpcode.Retransmit,
            15 or 31 => EtwNetworkOpcode.Accept,
            16 or 32 => EtwNetworkOpcode.Reconnect,
            _ => EtwNetworkOpcode.Other, // 17 Fail has no endpoints; 18/34 TCPCopy, 19-22 ARP/ACK bookkeeping
        },
        _ => opcode switch
        {
            10 or 26 => EtwNetworkOpcode.Send,
            11 or 27 => EtwNetworkOpcode.Receive,
            _ => EtwNetworkOpcode.Other, // 17 Fail: protocol and code only
        },
    };

    public static bool IsIPv6Opcode(int opcode) => opcode >= 26;
}
