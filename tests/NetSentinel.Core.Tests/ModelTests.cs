using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests;

public class ModelTests
{
    [Theory]
    [InlineData(ConnectionEventKind.Opened, Transport.Tcp, false, "connection_opened")]
    [InlineData(ConnectionEventKind.Opened, Transport.Udp, false, "udp_flow")]
    [InlineData(ConnectionEventKind.Closed, Transport.Tcp, false, "connection_closed")]
    [InlineData(ConnectionEventKind.Closed, Transport.Tcp, true, "connection_failed")]
    public void ConnectionLogRecordActionFollowsKindAndOutcome(ConnectionEventKind kind, Transport transport, bool failed, string action)
    {
        var record = new ConnectionLogRecord
        {
            Timestamp = DateTimeOffset.UnixEpoch,
            Source = "test",
            Event = new ConnectionEvent
            {
                Kind = kind, Timestamp = DateTimeOffset.UnixEpoch, ConnectionId = 1, Transport = transport,
                Local = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40000),
                Remote = new IPEndPoint(IPAddress.Parse("198.51.100.2"), 443),
                Process = ProcessInfo.Unknown, Failed = failed,
            },
        };
        Assert.Equal(action, record.Action);
    }

    [Fact]
    public void ProgramKeyPrefersExecutablePath()
    {
        Assert.Equal("/usr/bin/curl", new ProcessInfo { Pid = 1, Name = "curl", Executable = "/usr/bin/curl" }.ProgramKey);
        Assert.Equal("curl", new ProcessInfo { Pid = 1, Name = "curl" }.ProgramKey);
    }
}
