using System.Net;
using System.Text.Json;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Output;

public class SnapshotLineTests
{
    private readonly EcsJsonFormatter _formatter = new("web-01");

    [Fact]
    public void SnapshotRowCarriesStateCountersAndProcess()
    {
        var record = new ConnectionSnapshotRecord
        {
            Timestamp = SampleRecords.Time,
            Source = "snapshot",
            Connection = new ConnectionRecord
            {
                Transport = Transport.Tcp,
                Local = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40312),
                Remote = new IPEndPoint(IPAddress.Parse("::ffff:198.51.100.2"), 443),
                State = "ESTABLISHED",
                Direction = Direction.Outbound,
                SocketId = 918273,
                BytesSent = 1048576,
                BytesReceived = 5120,
                Process = SampleRecords.Curl(),
            },
        };

        using JsonDocument line = JsonLine.ParseSingle(_formatter.FormatLine(record));
        var root = line.RootElement;
        Assert.Equal("state", root.At("event.kind").GetString());
        Assert.Equal("connection_snapshot", root.At("event.action").GetString());
        Assert.Equal("ESTABLISHED", root.At("net_sentinel.state").GetString());
        Assert.Equal(918273UL, root.At("net_sentinel.connection_id").GetUInt64());
        Assert.Equal("198.51.100.2", root.At("destination.ip").GetString()); // IPv4-mapped written as IPv4
        Assert.Equal(443, root.At("destination.port").GetInt32());
        Assert.Equal(1048576, root.At("source.bytes").GetInt64());
        Assert.Equal(5120, root.At("destination.bytes").GetInt64());
        Assert.Equal(record.Connection.Process.Pid, root.At("process.pid").GetInt32());
    }

    [Fact]
    public void UnknownLocalPortIsLeftOutNotWrittenAsZero()
    {
        var opened = SampleRecords.Connection(ConnectionEventKind.Opened) with
        {
            Local = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 0),
        };
        using JsonDocument line = JsonLine.ParseSingle(_formatter.FormatLine(SampleRecords.ConnectionRecord(opened)));
        Assert.Equal("198.51.100.1", line.RootElement.At("source.ip").GetString());
        Assert.False(line.RootElement.Has("source.port"));
        Assert.True(line.RootElement.Has("destination.port"));
    }
}
