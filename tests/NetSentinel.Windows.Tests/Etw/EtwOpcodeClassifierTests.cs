using NetSentinel.Core.Model;
using NetSentinel.Windows.Etw;

namespace NetSentinel.Windows.Tests.Etw;

public class EtwOpcodeClassifierTests
{
    [Theory]
    [InlineData(10, nameof(EtwNetworkOpcode.Send))]
    [InlineData(11, nameof(EtwNetworkOpcode.Receive))]
    [InlineData(12, nameof(EtwNetworkOpcode.Connect))]
    [InlineData(13, nameof(EtwNetworkOpcode.Disconnect))]
    [InlineData(14, nameof(EtwNetworkOpcode.Retransmit))]
    [InlineData(15, nameof(EtwNetworkOpcode.Accept))]
    [InlineData(16, nameof(EtwNetworkOpcode.Reconnect))]
    [InlineData(17, nameof(EtwNetworkOpcode.Other))] // Fail: no endpoints
    [InlineData(18, nameof(EtwNetworkOpcode.Other))] // TCPCopy
    [InlineData(22, nameof(EtwNetworkOpcode.Other))] // DupACK
    [InlineData(26, nameof(EtwNetworkOpcode.Send))]
    [InlineData(27, nameof(EtwNetworkOpcode.Receive))]
    [InlineData(28, nameof(EtwNetworkOpcode.Connect))]
    [InlineData(29, nameof(EtwNetworkOpcode.Disconnect))]
    [InlineData(30, nameof(EtwNetworkOpcode.Retransmit))]
    [InlineData(31, nameof(EtwNetworkOpcode.Accept))]
    [InlineData(32, nameof(EtwNetworkOpcode.Reconnect))]
    [InlineData(34, nameof(EtwNetworkOpcode.Other))]
    public void TcpOpcodes(int opcode, string expected) =>
        Assert.Equal(expected, EtwOpcodeClassifier.Classify(Transport.Tcp, opcode).ToString());

    [Theory]
    [InlineData(10, nameof(EtwNetworkOpcode.Send))]
    [InlineData(11, nameof(EtwNetworkOpcode.Receive))]
    [InlineData(12, nameof(EtwNetworkOpcode.Other))] // no UDP connect: the number means nothing for this task
    [InlineData(15, nameof(EtwNetworkOpcode.Other))]
    [InlineData(17, nameof(EtwNetworkOpcode.Other))]
    [InlineData(26, nameof(EtwNetworkOpcode.Send))]
    [InlineData(27, nameof(EtwNetworkOpcode.Receive))]
    public void UdpOpcodes(int opcode, string expected) =>
        Assert.Equal(expected, EtwOpcodeClassifier.Classify(Transport.Udp, opcode).ToString());

    [Fact]
    public void Ipv6OpcodesAreTheUpperRange()
    {
        Assert.False(EtwOpcodeClassifier.IsIPv6Opcode(12));
        Assert.True(EtwOpcodeClassifier.IsIPv6Opcode(28));
    }
}
