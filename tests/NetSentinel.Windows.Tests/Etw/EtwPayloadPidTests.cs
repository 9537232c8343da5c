using NetSentinel.Windows.Etw;

namespace NetSentinel.Windows.Tests.Etw;

public class EtwPayloadPidTests
{
    [Fact]
    public void PidIsTheFirstPayloadDwordNotTheHeader()
    {
        byte[] payload = [0x39, 0x30, 0x00, 0x00, 0xFF, 0xFF]; // 12345 little-endian, then other fields
        Assert.Equal(12345, EtwPayloadPid.Read(payload, version: 2, fixedUpHeaderPid: 4));
    }

    [Fact]
    public void VersionZeroOrShortPayloadFallsBackToTheFixedUpHeader()
    {
        byte[] payload = [0x39, 0x30, 0x00, 0x00];
        Assert.Equal(4, EtwPayloadPid.Read(payload, version: 0, fixedUpHeaderPid: 4));
        Assert.Equal(4, EtwPayloadPid.Read(payload.AsSpan(0, 3), version: 2, fixedUpHeaderPid: 4));
    }
}
