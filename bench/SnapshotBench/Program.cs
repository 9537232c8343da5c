using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetSentinel.Core.Model;
using NetSentinel.Linux.Snapshot;
using SnapshotBench;

// Snapshot speed with many sockets: LinuxSnapshotProvider.Capture() against `ss -tanp`, both timed
// from this process (ss including its spawn), medians after a warm-up. Target: ratio <= 1.5.
const int Connections = 5000;
const int Runs = 21;
const int WarmUps = 3;
TimeSpan setupLimit = TimeSpan.FromSeconds(60);

ulong limit = BenchNative.RaiseFileLimit();
if (limit < (Connections * 2) + 200)
{
    Console.Error.WriteLine($"open-file hard limit {limit} is too low for {Connections * 2} sockets");
    return 2;
}

var sockets = new List<Socket>(Connections * 2 + 1);
using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
listener.Listen(4096);
var setup = Stopwatch.StartNew();
try
{
    for (int i = 0; i < Connections; i++)
    {
        if (setup.Elapsed > setupLimit) throw new TimeoutException($"only {i} connections after {setupLimit.TotalSeconds} s");
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        sockets.Add(client);
        client.Connect(listener.LocalEndPoint!);
        sockets.Add(listener.Accept());
    }
    Console.WriteLine($"{sockets.Count} sockets + 1 listener open in {setup.ElapsedMilliseconds} ms");

    var provider = new LinuxSnapshotProvider();
    IReadOnlyList<ConnectionRecord> records = [];
    for (int i = 0; i < WarmUps; i++) records = provider.Capture();
    int ours = records.Count(r => r.Process.Pid == Environment.ProcessId);
    Console.WriteLine($"capture sees {records.Count} sockets, {ours} attributed to this process; degraded: {provider.DegradedReason ?? "no"}");

    for (int i = 0; i < WarmUps; i++) BenchNative.RunToDevNull("/usr/bin/ss", "-tanp");

    double[] capture = Time(() => provider.Capture());
    double[] ss = Time(() => BenchNative.RunToDevNull("/usr/bin/ss", "-tanp"));
    double captureMedian = Median(capture), ssMedian = Median(ss);
    Console.WriteLine($"Capture()  median {captureMedian,8:F2} ms  (min {capture.Min():F2}, max {capture.Max():F2}, {Runs} runs)");
    Console.WriteLine($"ss -tanp   median {ssMedian,8:F2} ms  (min {ss.Min():F2}, max {ss.Max():F2}, {Runs} runs)");
    Console.WriteLine($"ratio Capture/ss = {captureMedian / ssMedian:F2} (target <= 1.5)");
    return 0;
}
finally
{
    foreach (Socket s in sockets) s.Dispose();
}

static double[] Time(Action action)
{
    var times = new double[Runs];
    for (int i = 0; i < Runs; i++)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
    return times;
}

static double Median(double[] values)
{
    double[] sorted = values.Order().ToArray();
    return sorted[sorted.Length / 2];
}
