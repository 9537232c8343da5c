using System.Net;
using System.Runtime.Versioning;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers.Kernel;
using NetSentinel.Core.Model;

namespace NetSentinel.Windows.Etw;

/// <summary>
/// Copies the fields we need out of TraceEvent's parsed kernel events (valid only during the callback)
/// into plain records. The opcode decides the meaning; the payload class only decides where fields are.
/// Ports come from TraceEvent's sport/dport, which byte-swap the network-order payload into host order.
/// </summary>
[SupportedOSPlatform("windows")]
internal static class EtwRecordReader
{
    public static EtwNetworkRecord From(TcpIpConnectTraceData data) => Make(data, Transport.Tcp, data.size, data.saddr, data.sport, data.daddr, data.dport);
    public static EtwNetworkRecord From(TcpIpV6ConnectTraceData data) => Make(data, Transport.Tcp, data.size, data.saddr, data.sport, data.daddr, data.dport);
    public static EtwNetworkRecord From(TcpIpSendTraceData data) => Make(data, Transport.Tcp, data.size, data.saddr, data.sport, data.daddr, data.dport);
    public static EtwNetworkRecord From(TcpIpV6SendTraceData data) => Make(data, Transport.Tcp, data.size, data.saddr, data.sport, data.daddr, data.dport);
    public static EtwNetworkRecord From(TcpIpTraceData data) => Make(data, Transport.Tcp, data.size, data.saddr, data.sport, data.daddr, data.dport);
    public static EtwNetworkRecord From(TcpIpV6TraceData data) => Make(data, Transport.Tcp, data.size, data.saddr, data.sport, data.daddr, data.dport);
    public static EtwNetworkRecord From(UdpIpTraceData data) => Make(data, Transport.Udp, data.size, data.saddr, data.sport, data.daddr, data.dport);
    public static EtwNetworkRecord From(UpdIpV6TraceData data) => Make(data, Transport.Udp, data.size, data.saddr, data.sport, data.daddr, data.dport);

    private static unsafe EtwNetworkRecord Make(TraceEvent data, Transport transport, int size, IPAddress source, int sourcePort, IPAddress destination, int destinationPort)
    {
        var payload = new ReadOnlySpan<byte>((void*)data.DataStart, Math.Min(data.EventDataLength, 4));
        return new EtwNetworkRecord(
            EtwOpcodeClassifier.Classify(transport, (int)data.Opcode),
            transport,
            EtwPayloadPid.Read(payload, data.Version, data.ProcessID),
            size,
            source,
            sourcePort,
            destination,
            destinationPort,
            new DateTimeOffset(data.TimeStamp.ToUniversalTime(), TimeSpan.Zero));
    }
}
