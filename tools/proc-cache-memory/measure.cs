#:project ../../src/NetSentinel.Linux/NetSentinel.Linux.csproj
#:property AllowUnsafeBlocks=true
// The heap the polling/--once /proc cache keeps per 10,000 tracked processes, over a fake /proc (fake-proc.py):
//   python3 tools/proc-cache-memory/fake-proc.py /tmp/fake-proc && dotnet run -c Release tools/proc-cache-memory/measure.cs /tmp/fake-proc
using NetSentinel.Linux.Processes;

string root = args.Length == 1 ? args[0] : throw new ArgumentException("usage: measure.cs FAKE_PROC_ROOT");
var pids = Directory.EnumerateDirectories(root).Select(d => int.TryParse(Path.GetFileName(d), out int p) ? p : 0).Where(p => p >= 1000).ToList();
var reader = new ProcessInfoReader(root);
reader.Read(pids[0]);
long before = GC.GetTotalMemory(forceFullCollection: true);
var first = System.Diagnostics.Stopwatch.StartNew();
foreach (int pid in pids) reader.Read(pid);
first.Stop();
long after = GC.GetTotalMemory(forceFullCollection: true);
Console.WriteLine($"{pids.Count} processes read ({reader.CachedCount} cached with their ancestors): {(after - before) * 10000.0 / pids.Count / 1024 / 1024:F2} MiB per 10k");
Console.WriteLine($"first read of {pids.Count} processes (and their ancestors): {first.Elapsed.TotalMilliseconds:F0} ms");
var clock = System.Diagnostics.Stopwatch.StartNew();
foreach (int pid in pids) reader.Read(pid);
Console.WriteLine($"a poll of {pids.Count} cached processes: {clock.Elapsed.TotalMilliseconds:F0} ms");
GC.KeepAlive(reader);
