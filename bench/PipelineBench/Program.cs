// The monitor's user-space cost per connection, without a kernel and without noise from the scheduler: the
// records a connect storm puts in the ring buffer (a connect record at ESTABLISHED, a short close record at CLOSE,
// built byte for byte as the kernel lays them out) go through the real decoder, translator, flow ledger and
// detection pipeline with the default configuration (alerts only), as the monitor's thread runs them. The
// storm is bench/run.sh's connect1: one process connecting to one host, rotating over 1,000 ports, 20k/s of
// kernel time. Reports the best of several repetitions of the thread's CPU time per connection, so two builds
// compare on a busy machine (a figure for before/after a change, not a promise about any host).
// Then the same storm with bytes on every connection (80 sent, 240 received: a wrk request with `Connection: close` and
// nginx's answer, bench/run.sh's nginx scenario): the close carries them (its last delta), so such a connection is two
// events through the pipeline like a bare one (until 6f07369 a Traffic event came before the close: three).
// Then the same with every connection logged (--log-connections): the lines formatted into the file's queue as the
// monitor's thread does it, the queue emptied by its own thread into nothing (the write to disk is that thread's, not
// this one's); the difference per line is what formatting and queueing a line costs the monitor's thread (issue #15).
// Then the memory the eBPF source's process catalog keeps per 10,000 tracked processes: each forked by one shell,
// exec'ing python3 with eight arguments, connecting once (so its identity, parent and ancestry are built).
// Then bench/run.sh's spawn storm through the whole pipeline (catalog, translator, detectors; alerts only): one
// parent forking children that each exec `nsload once HOST PORT`, connect once and exit, 2,000 a second of kernel
// time with an interval end every 5 s: the managed bytes allocated per process and the heap still live after them.
// Usage: dotnet run -c Release --project bench/PipelineBench -- [connections per repetition] [repetitions]
using System.Diagnostics;
using System.Globalization;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Flows;
using NetSentinel.Core.Identity;
using NetSentinel.Core.Output;
using NetSentinel.Core.Output.Pipeline;
using NetSentinel.Linux.Bpf;
using NetSentinel.Linux.Bpf.Abi;
using static NetSentinel.Linux.Tests.Bpf.GoldenRecords;

int connections = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
int repetitions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
const ulong GapNs = 50_000; // 20k connects per second of kernel time
const int Ports = 1000;

// One process (this one, so the catalog resolves a real /proc entry once), one peer, a new local port each time.
NsTask client = Task((uint)Environment.ProcessId, "nsload");
byte[][] records = Storm(sent: 0, received: 0);

(TimeSpan best, long allocated) = Best(logged: false);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"pipeline: {best.TotalMicroseconds * 1000 / connections:0} ns of CPU per connection (connect + close records, alerts only), best of {repetitions - 1} × {connections:N0}; {allocated / connections} bytes allocated per connection"));
records = Storm(sent: 80, received: 240);
(TimeSpan bestBytes, long allocatedBytes) = Best(logged: false);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"pipeline, 80 bytes sent and 240 received per connection (nginx-like: the close carries them): {bestBytes.TotalMicroseconds * 1000 / connections:0} ns of CPU per connection, best of {repetitions - 1}; {allocatedBytes / connections} bytes allocated per connection"));
records = Storm(sent: 0, received: 0);
(TimeSpan bestLogged, long allocatedLogged) = Best(logged: true);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"pipeline, every connection logged: {bestLogged.TotalMicroseconds * 1000 / connections:0} ns of CPU per connection, {(bestLogged - best).TotalMicroseconds * 1000 / (2 * connections):0} ns per line on the monitor's thread (2 lines a connection), best of {repetitions - 1}; {allocatedLogged / connections} bytes allocated per connection"));

byte[][] Storm(ulong sent, ulong received)
{
    var storm = new byte[connections * 2][];
    for (int i = 0; i < connections; i++)
    {
        ulong start = (ulong)i * GapNs;
        NsEndpoints ends = Ends("198.51.100.241", 32768 + i % 28000, "198.51.100.242", 20000 + i % Ports);
        storm[2 * i] = TcpConnect((ulong)i + 1, start, client, ends);
        storm[(2 * i) + 1] = TcpCloseShort((ulong)i + 1, start + (GapNs / 2), sent: sent, received: received, durationNs: GapNs / 2);
    }
    return storm;
}

(TimeSpan Best, long Allocated) Best(bool logged)
{
    var best = TimeSpan.MaxValue;
    long allocated = 0;
    for (int r = 0; r < repetitions; r++)
    {
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        TimeSpan cpu = Run(logged);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"repetition {r + 1}{(logged ? " (logged)" : "")}: {cpu.TotalMicroseconds * 1000 / connections:0} ns per connection"));
        if (r > 0 && cpu < best) best = cpu; // the first warms the JIT up
    }
    return (best, allocated);
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"process catalog: {CatalogBytesPer10k() / 1048576.0:0.00} MiB of heap per 10,000 tracked processes (fork, exec with 8 arguments, a connection each)"));

var (spawnAllocated, spawnLive) = SpawnStorm(10_000);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"spawn storm: {spawnAllocated} bytes allocated per process, {spawnLive / 1048576.0:0.00} MiB of heap live after 10,000 processes in 5 s (fork, exec, connect, close, exit; whole pipeline, alerts only)"));

(long AllocatedPerProcess, long Live) SpawnStorm(int processes)
{
    const uint FirstTgid = 400_000; // above any real pid here, so the catalog knows them only from their records
    const ulong ProcessGapNs = 500_000; // 2,000 processes a second
    var clock = new ManualClock(DateTimeOffset.UtcNow);
    var pipeline = new DetectionPipeline(new MonitorConfig(), new CountingSink(), "ebpf", clock, learnBaseline: false);
    var translator = new BpfEventTranslator(new FlowLedger<ulong>(clock), new ProcessCatalog(), new NoUdpFlows());
    var decoder = new BpfRecordDecoder(translator);
    NsTask parent = Task(FirstTgid - 1, "nsload");
    decoder.Decode(Exec(1, parent, "/work/main/out/bench/nsload", ["out/bench/nsload", "spawn", "--host", "198.51.100.242", "--port", "20000", "--ports", "1000", "--seconds", "5"]), pipeline);
    var interval = TimeSpan.FromSeconds(5);
    DateTimeOffset nextInterval = clock.Start + interval;
    GC.Collect();
    long before = GC.GetTotalMemory(forceFullCollection: true);
    long allocated = 0;
    for (uint i = 0; i < processes; i++)
    {
        NsTask child = Task(FirstTgid + i, "nsload");
        child.Ppid = parent.Tgid;
        ulong ns = 1_000 + (i * ProcessGapNs);
        string port = (20000 + (i % 1000)).ToString(CultureInfo.InvariantCulture);
        NsEndpoints ends = Ends("198.51.100.241", 32768 + (int)(i % 28000), "198.51.100.242", 20000 + (int)(i % 1000));
        byte[][] records =
        [
            Fork(ns, parent, child.Tgid),
            Exec(ns + 50_000, child, "/work/main/out/bench/nsload", ["nsload", "once", "198.51.100.242", port]),
            TcpConnect(i + 1, ns + 100_000, child, ends),
            TcpCloseShort(i + 1, ns + 150_000, sent: 0, received: 0, durationNs: 50_000),
            Exit(ns + 200_000, child),
        ];
        long decodeStart = GC.GetAllocatedBytesForCurrentThread(); // the records are the kernel's, not the monitor's allocations
        foreach (byte[] record in records) decoder.Decode(record, pipeline);
        clock.Now = clock.Start + TimeSpan.FromTicks((long)(ns / 100));
        if (clock.Now >= nextInterval)
        {
            translator.BeginCounters();
            translator.EndCounters(clock.Now, pipeline);
            pipeline.EndInterval(clock.Now, 0, null);
            nextInterval += interval;
        }
        if ((i & 63) == 0)
        {
            pipeline.EndDrain();
            pipeline.BeginDrain(); // as the monitor's loop brackets each drain
        }
        allocated += GC.GetAllocatedBytesForCurrentThread() - decodeStart;
    }
    long after = GC.GetTotalMemory(forceFullCollection: true);
    GC.KeepAlive(decoder);
    GC.KeepAlive(pipeline);
    return (allocated / processes, after - before);
}

long CatalogBytesPer10k()
{
    const int Processes = 10_000;
    const uint FirstTgid = 400_000; // above any real pid here, so the catalog knows them only from their records
    var catalog = new ProcessCatalog();
    var translator = new BpfEventTranslator(new FlowLedger<ulong>(TimeProvider.System, capacity: 2 * Processes), catalog, new NoUdpFlows());
    var decoder = new BpfRecordDecoder(translator);
    var sink = new DiscardEvents();
    NsTask shell = Task(FirstTgid - 1, "bash");
    decoder.Decode(Exec(1, shell, "/usr/bin/bash", ["bash", "-l"]), sink);
    string[] args = ["python3", "/opt/app/worker.py", "--queue", "jobs", "--concurrency", "4", "--log-level", "info"];
    GC.Collect();
    long before = GC.GetTotalMemory(forceFullCollection: true);
    for (uint i = 0; i < Processes; i++)
    {
        NsTask worker = Task(FirstTgid + i, "python3");
        worker.Ppid = shell.Tgid;
        ulong ns = 1_000 + (i * 1_000UL);
        decoder.Decode(Fork(ns, shell, worker.Tgid), sink);
        decoder.Decode(Exec(ns + 100, worker, "/usr/bin/python3.13", args), sink);
        NsEndpoints ends = Ends("198.51.100.241", 40000, "198.51.100.242", 443);
        decoder.Decode(TcpConnect(i + 1, ns + 200, worker, ends), sink);
        decoder.Decode(TcpCloseShort(i + 1, ns + 300, sent: 10, received: 10, durationNs: 100), sink); // only the catalog keeps anything
    }
    long after = GC.GetTotalMemory(forceFullCollection: true);
    GC.KeepAlive(decoder);
    return (after - before) * 10_000 / Processes;
}

TimeSpan Run(bool logged)
{
    var clock = new ManualClock(DateTimeOffset.UtcNow);
    var output = new CountingSink();
    var file = new QueuedOutput("file", new DiscardLines(), OutputLines.All, OutputFormat.Json, 1 << 20) { WaitWhenFull = true }; // the monitor's file queue (LogSinks)
    var lines = new OutputPipeline(new EcsJsonFormatter(HostIdentity.Current()), [file]);
    IRecordSink sink = logged ? new FanOutRecordSink([output, lines]) : output;
    var pipeline = new DetectionPipeline(new MonitorConfig { LogConnections = logged }, sink, "ebpf", clock, learnBaseline: false); // as bench/run.sh runs it: --no-baseline
    var translator = new BpfEventTranslator(new FlowLedger<ulong>(clock), new ProcessCatalog(), new NoUdpFlows());
    var decoder = new BpfRecordDecoder(translator);
    var interval = TimeSpan.FromSeconds(5);
    DateTimeOffset nextInterval = clock.GetUtcNow() + interval;
    GC.Collect();
    TimeSpan before = ThreadCpu();
    pipeline.BeginDrain(); // drains as the monitor's loop brackets them: one clock read per batch of events
    for (int i = 0; i < records.Length; i++)
    {
        decoder.Decode(records[i], pipeline);
        if ((i & 1023) == 0)
        {
            clock.Now = clock.Start + TimeSpan.FromTicks((long)((ulong)(i / 2) * GapNs / 100));
            if (clock.Now >= nextInterval)
            {
                pipeline.EndInterval(clock.Now, 0, null);
                pipeline.EndDrain();
                pipeline.BeginDrain();
                nextInterval += interval;
            }
        }
    }
    pipeline.EndDrain();
    TimeSpan cpu = ThreadCpu() - before;
    if (output.Lines == 0) throw new InvalidOperationException("the storm raised no alert: the pipeline did not run");
    lines.Dispose();
    if (logged && file.LinesWritten + file.LinesDropped < 2L * connections) throw new InvalidOperationException($"{file.LinesWritten} lines logged of {2L * connections}");
    return cpu;
}

static TimeSpan ThreadCpu()
{
    // The scheduler's own count of this thread's time on a CPU, in nanoseconds (utime/stime are 10 ms ticks).
    string schedstat = File.ReadAllText("/proc/thread-self/schedstat");
    long ns = long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ')), CultureInfo.InvariantCulture);
    return TimeSpan.FromTicks(ns / 100);
}

/// <summary>
/// The storm's clock: kernel time 0 is <see cref="Start"/> (its monotonic timestamp reads 0 when the source's kernel clock
/// takes its offset), so the records' times and the pipeline's "now" move together, as they do live. With the machine's
/// real monotonic clock the records were hours older than "now", and every interval end forgot each series and scan
/// window as idle for hours, a churn the monitor never has.
/// </summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Start { get; } = start;
    public DateTimeOffset Now { get; set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
    public override long GetTimestamp() => 0;
}

internal sealed class CountingSink : IRecordSink
{
    public long Lines { get; private set; }
    public void Write(LogRecord record) => Lines++;
    public void Dispose() { }
}

internal sealed class DiscardLines : IBatchWriter
{
    public void Write(ReadOnlySpan<byte> lines) { }
    public void Dispose() { }
}

internal sealed class DiscardEvents : NetSentinel.Core.Sources.IConnectionEventSink
{
    public void OnEvent(NetSentinel.Core.Model.ConnectionEvent connectionEvent) { }
}

internal sealed class NoUdpFlows : IUdpFlowTable
{
    public bool TryTake(in NsUdpKey key, ulong connId, out NsUdpFlow flow)
    {
        flow = default;
        return false;
    }
}
