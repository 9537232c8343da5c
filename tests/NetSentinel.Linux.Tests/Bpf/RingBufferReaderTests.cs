using NetSentinel.Linux.Bpf;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>The in-place ring buffer reader over memory laid out as the kernel lays it out (<see cref="KernelRingImitation"/>).</summary>
public class RingBufferReaderTests
{
    private static byte[] Payload(int size, byte seed) => Enumerable.Range(0, size).Select(i => (byte)(seed + i)).ToArray();

    private static List<byte[]> ReadAll(KernelRingImitation ring, out int count)
    {
        var seen = new List<byte[]>();
        count = ring.Reader.Read(record => seen.Add(record.ToArray()));
        return seen;
    }

    [Fact]
    public unsafe void ReadsEveryRecordInOrderAndHandsTheSpaceBack()
    {
        using var ring = new KernelRingImitation(4096);
        byte[][] sent = [Payload(64, 1), Payload(1, 2), Payload(13, 3), Payload(200, 4)];
        foreach (byte[] p in sent) ring.Output(p);
        Assert.Equal(8 + 64 + 8 + 8 + 8 + 16 + 8 + 200, ring.Reader.QueuedBytes); // each rounded up to 8 with its header

        List<byte[]> seen = ReadAll(ring, out int count);

        Assert.Equal(4, count);
        Assert.Equal(sent, seen);
        Assert.Equal(*ring.Producer, *ring.Consumer);
        Assert.Equal(0, ring.Reader.QueuedBytes);
        Assert.Empty(ReadAll(ring, out count));
        Assert.Equal(0, count);
    }

    [Fact]
    public unsafe void ARecordThatWrapsPastTheEndReadsWhole()
    {
        using var ring = new KernelRingImitation(256, startPosition: 3 * 256 + 200); // positions only grow; 56 bytes left before the end
        byte[] first = Payload(24, 10), wrapping = Payload(100, 20), after = Payload(8, 30);
        ring.Output(first); // header at 200, ends at 232
        ring.Output(wrapping); // header at 232, its bytes run past 256 into the start
        ring.Output(after);

        List<byte[]> seen = ReadAll(ring, out _);

        Assert.Equal([first, wrapping, after], seen);
        Assert.Equal(*ring.Producer, *ring.Consumer);
    }

    [Fact]
    public unsafe void ARecordWhoseHeaderEndsTheAreaReadsFromItsStart()
    {
        using var ring = new KernelRingImitation(256, startPosition: 256 + 216); // 40 bytes left before the end
        byte[] first = Payload(24, 10), second = Payload(50, 20);
        ring.Output(first); // header at 216, ends at 248
        ring.Output(second); // header at 248, its bytes start at 0

        Assert.Equal([first, second], ReadAll(ring, out _));
    }

    [Fact]
    public unsafe void DiscardedRecordsAreSkippedButConsumed()
    {
        using var ring = new KernelRingImitation(4096);
        ring.Output(Payload(16, 1));
        ring.Submit(ring.Reserve(Payload(40, 2)), discard: true);
        ring.Output(Payload(16, 3));

        List<byte[]> seen = ReadAll(ring, out int count);

        Assert.Equal(2, count);
        Assert.Equal([Payload(16, 1), Payload(16, 3)], seen);
        Assert.Equal(*ring.Producer, *ring.Consumer);
    }

    [Fact]
    public unsafe void ABusyRecordStopsTheReadUntilItIsSubmitted()
    {
        using var ring = new KernelRingImitation(4096);
        ring.Output(Payload(16, 1));
        long busy = ring.Reserve(Payload(24, 2));
        ring.Output(Payload(32, 3)); // submitted after a record still being written: must wait behind it

        List<byte[]> seen = ReadAll(ring, out int count);
        Assert.Equal(1, count);
        Assert.Equal([Payload(16, 1)], seen);
        Assert.Equal(busy, *ring.Consumer); // the busy record's space is still the kernel's to fill

        ring.Submit(busy);
        seen = ReadAll(ring, out count);
        Assert.Equal(2, count);
        Assert.Equal([Payload(24, 2), Payload(32, 3)], seen);
        Assert.Equal(*ring.Producer, *ring.Consumer);
    }

    [Fact]
    public unsafe void ARecordSubmittedDuringTheReadIsReadInTheSameCall()
    {
        using var ring = new KernelRingImitation(4096);
        ring.Output(Payload(16, 1));
        var seen = new List<byte[]>();
        int count = ring.Reader.Read(record =>
        {
            seen.Add(record.ToArray());
            if (seen.Count == 1) ring.Output(Payload(16, 2));
        });
        Assert.Equal(2, count);
        Assert.Equal([Payload(16, 1), Payload(16, 2)], seen);
        Assert.Equal(*ring.Producer, *ring.Consumer);
    }

    [Fact]
    public unsafe void AHandlerThatThrowsConsumesItsRecordAndLeavesTheRest()
    {
        using var ring = new KernelRingImitation(4096);
        ring.Output(Payload(16, 1));
        ring.Output(Payload(16, 2));
        ring.Output(Payload(16, 3));
        var seen = new List<byte[]>();

        Assert.Throws<InvalidDataException>(() => ring.Reader.Read(record =>
        {
            seen.Add(record.ToArray());
            if (seen.Count == 2) throw new InvalidDataException("bad record");
        }));
        Assert.Equal(2 * 24, *ring.Consumer); // past the record that failed, before the third

        List<byte[]> rest = ReadAll(ring, out _);
        Assert.Equal([Payload(16, 3)], rest);
    }

    [Fact]
    public unsafe void KeepsUpWithAKernelThatFillsTheRingAgainAndAgain()
    {
        // 10,000 records of varied sizes through a 1 KiB ring, read whenever the kernel would find it full: each is seen
        // once, whole and in order, across hundreds of wrap-arounds.
        using var ring = new KernelRingImitation(1024);
        var random = new Random(15);
        var sent = new List<byte[]>();
        var seen = new List<byte[]>();
        for (int i = 0; i < 10_000; i++)
        {
            byte[] p = Payload(random.Next(1, 120), (byte)i);
            sent.Add(p);
            try
            {
                ring.Output(p);
            }
            catch (InvalidOperationException)
            {
                ring.Reader.Read(record => seen.Add(record.ToArray()));
                ring.Output(p);
            }
        }
        ring.Reader.Read(record => seen.Add(record.ToArray()));
        Assert.Equal(sent.Count, seen.Count);
        Assert.Equal(sent, seen);
        Assert.True(*ring.Consumer > 100 * 1024);
    }

    [Fact]
    public unsafe void ALongPassHandsSpaceBackAsItGoesNotOnlyAtItsEnd()
    {
        const int capacity = 4096, records = 68, recordBytes = 56; // 68 records of 48 + 8 bytes: 3,808 of 4,096, nearly full
        const int step = capacity / RingBufferReader.HandBackFraction;
        using var ring = new KernelRingImitation(capacity);
        for (int i = 0; i < records; i++) ring.Output(Payload(recordBytes - 8, (byte)i));
        long start = *ring.Consumer;
        var consumerSeen = new List<long>();

        int count = ring.Reader.Read(_ => consumerSeen.Add(*ring.Consumer - start));

        Assert.Equal(records, count);
        // What the kernel sees while the pass still reads: the space of the records before, less at most one step.
        Assert.True(consumerSeen[^1] >= (records - 1) * recordBytes - step,
            $"the last record was read with the consumer position only {consumerSeen[^1]} bytes past the start");
        Assert.All(consumerSeen.Zip(consumerSeen.Skip(1)), p => Assert.InRange(p.Second - p.First, 0, step + recordBytes));
        Assert.Equal(*ring.Producer, *ring.Consumer);
    }
}
