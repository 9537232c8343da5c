using System.Net;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Tests.Detection;

/// <summary>A path cut where it was captured is a prefix of the real one and must not pass for an allow-listed program.</summary>
public class AllowlistTruncationTests
{
    private static readonly Allowlist Allow = new(new MonitorConfig { AllowExecutables = new(["chronyd", "/usr/sbin/chronyd"]) });

    private static ConnectionEvent From(ProcessInfo process) => new()
    {
        Kind = ConnectionEventKind.Opened,
        Timestamp = DateTimeOffset.UnixEpoch,
        ConnectionId = 1,
        Transport = Transport.Udp,
        Local = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40000),
        Remote = new IPEndPoint(IPAddress.Parse("198.51.100.2"), 123),
        Process = process,
    };

    [Fact]
    public void AWholePathMatchesByPathOrName()
    {
        Assert.True(Allow.Allows(From(new ProcessInfo { Pid = 1, Name = "chronyd", Executable = "/usr/sbin/chronyd" })));
    }

    [Fact]
    public void ATruncatedPathMatchesNeitherByPathNorByName()
    {
        // /tmp/aaaa…/chronyd/x cut at 256 bytes to /tmp/aaaa…/chronyd, run under the name chronyd.
        var truncated = new ProcessInfo { Pid = 1, Name = "chronyd", Executable = "/usr/sbin/chronyd", ExecutableTruncated = true };
        Assert.False(Allow.Allows(From(truncated)));
        Assert.NotEqual("/usr/sbin/chronyd", truncated.ProgramKey);
    }
}
