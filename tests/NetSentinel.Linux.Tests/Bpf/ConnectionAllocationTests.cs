using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Flows;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;
using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Bpf.Abi;
using static NetSentinel.Linux.Tests.Bpf.GoldenRecords;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>
/// What the monitor's thread allocates per connection in a connect storm once it is warm (issue #15): the records
/// bench/run.sh's connect1 storm writes go through the real decoder, translator, ledger and detection pipeline
/// (alerts only, intervals ending as they do live). Events are reused, closed flows reused, remote endpoints shared;
/// what is left is the local endpoint (its ephemeral port is new each time, 32 bytes). 452 bytes before.
/// </summary>
public sealed class ConnectionAllocationTests
{
    private const int MaxBytesPerConnection = 48;
    private const int Connections = 20_000;
    private const ulong GapNs = 50_000; // 20k connects a second
    private const int Ports = 1000;

    [Theory]
    [InlineData(0UL, 0UL)]
    [InlineData(80UL, 240UL)] // a request with Connection: close and its answer: the bytes ride on the close
    public void AWarmPipelineAllocatesAtMostTheLocalEndpointPerConnection(ulong sent, ulong received)
    {
        var clock = new StormClock(DateTimeOffset.UtcNow);
        var output = new CountingSink();
        var pipeline = new DetectionPipeline(new MonitorConfig(), output, "ebpf", clock, learnBaseline: false);
        var decoder = new BpfRecordDecoder(new BpfEventTranslator(new FlowLedger<ulong>(clock), new ProcessCatalog(), new FakeUdpFlowTable()));
        NsTask client = Task((uint)Environment.ProcessId, "nsload"); // a real /proc entry, read once
        byte[][] warm = Storm(0, client, sent, received);
        byte[][] measured = Storm(Connections, client, sent, received);

        Run(warm, pipeline, decoder, clock);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(measured, pipeline, decoder, clock);
        long perConnection = (GC.GetAllocatedBytesForCurrentThread() - before) / Connections;

        Assert.Equal(2L * 2 * Connections, pipeline.Counters.Analysed((int)ConnectionEventKind.Opened) + pipeline.Counters.Analysed((int)ConnectionEventKind.Closed));
        Assert.Equal(0, pipeline.Counters.Analysed((int)ConnectionEventKind.Traffic)); // two events a connection, bytes or not
        Assert.True(output.Lines > 0, "the storm raised no alert: the detectors did not run");
        Assert.True(perConnection <= MaxBytesPerConnection, $"{perConnection} bytes allocated per connection (at most {MaxBytesPerConnection})");
    }

    private static byte[][] Storm(int first, NsTask client, ulong sent, ulong received)
    {
        var storm = new byte[2 * Connections][];
        for (int n = 0; n < Connections; n++)
        {
            int i = first + n;
            ulong start = (ulong)i * GapNs;
            NsEndpoints ends = Ends("198.51.100.241", 32768 + (i % 28000), "198.51.100.242", 20000 + (i % Ports));
            storm[2 * n] = TcpConnect((ulong)i + 1, start, client, ends);
            storm[(2 * n) + 1] = TcpCloseShort((ulong)i + 1, start + (GapNs / 2), sent, received, durationNs: GapNs / 2);
        }
        return storm;
    }

    /// <summary>As the monitor's thread does it: records, with an interval end every 5 s of the storm's time.</summary>
    private static void Run(byte[][] records, DetectionPipeline pipeline, BpfRecordDecoder decoder, StormClock clock)
    {
        var interval = TimeSpan.FromSeconds(5);
        foreach (byte[] record in records)
        {
            decoder.Decode(record, pipeline);
            clock.Now = clock.Start + TimeSpan.FromTicks((long)(BpfRecordTime(record) / 100));
            if (clock.Now - clock.LastInterval >= interval)
            {
                pipeline.EndInterval(clock.Now, 0, null);
                clock.LastInterval = clock.Now;
            }
        }
        pipeline.EndDrain();
    }

    private static ulong BpfRecordTime(byte[] record) => System.Runtime.InteropServices.MemoryMarshal.Read<NsHeader>(record).TimestampNs;

    /// <summary>Kernel time 0 is <see cref="Start"/>, so the records' times and the pipeline's "now" move together, as live.</summary>
    private sealed class StormClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Start { get; } = start;
        public DateTimeOffset Now { get; set; } = start;
        public DateTimeOffset LastInterval { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
        public override long GetTimestamp() => 0;
    }

    private sealed class CountingSink : IRecordSink
    {
        public long Lines { get; private set; }
        public void Write(LogRecord record) => Lines++;
        public void Dispose() { }
    }
}
