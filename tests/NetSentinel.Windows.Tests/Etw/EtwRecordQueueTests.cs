using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Windows.Etw;

namespace NetSentinel.Windows.Tests.Etw;

public class EtwRecordQueueTests
{
    private static EtwNetworkRecord Record(int size) =>
        new(EtwNetworkOpcode.Send, Transport.Tcp, 1, size, IPAddress.Loopback, 1, IPAddress.Loopback, 2, DateTimeOffset.UnixEpoch);

    [Fact]
    public void FullQueueDropsAndCounts()
    {
        using var queue = new EtwRecordQueue<EtwNetworkRecord>(3);
        for (int i = 0; i < 5; i++) queue.TryEnqueue(Record(i));

        Assert.Equal(2, queue.Dropped);
        var drained = new List<EtwNetworkRecord>();
        Assert.Equal(3, queue.Drain(drained, 100));
        Assert.Equal([0, 1, 2], drained.Select(r => r.Size)); // the oldest are kept, in order
        Assert.True(queue.TryEnqueue(Record(9))); // room again after draining
        Assert.Equal(2, queue.Dropped);
    }

    [Fact]
    public void DrainIsBoundedAndLeavesTheRestSignalled()
    {
        using var queue = new EtwRecordQueue<EtwNetworkRecord>(10);
        for (int i = 0; i < 5; i++) queue.TryEnqueue(Record(i));

        var drained = new List<EtwNetworkRecord>();
        Assert.Equal(2, queue.Drain(drained, 2));
        Assert.True(queue.WaitForRecords(TimeSpan.Zero));
        Assert.Equal(3, queue.Count);
    }

    [Fact]
    public void WaitReturnsFalseAfterTheTimeoutWhenEmpty()
    {
        using var queue = new EtwRecordQueue<EtwNetworkRecord>(1);
        Assert.False(queue.WaitForRecords(TimeSpan.FromMilliseconds(20)));
    }

    [Fact]
    public void RecordsFromAnotherThreadWakeTheConsumer()
    {
        using var queue = new EtwRecordQueue<EtwNetworkRecord>(100_000);
        const int total = 50_000;
        var producer = new Thread(() => { for (int i = 0; i < total; i++) queue.TryEnqueue(Record(i)); });
        producer.Start();

        var drained = new List<EtwNetworkRecord>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (drained.Count < total && DateTime.UtcNow < deadline)
            if (queue.WaitForRecords(TimeSpan.FromMilliseconds(50))) queue.Drain(drained, 4096);
        producer.Join();

        Assert.Equal(total, drained.Count);
        Assert.Equal(0, queue.Dropped);
        Assert.Equal(Enumerable.Range(0, total), drained.Select(r => r.Size));
    }
}
