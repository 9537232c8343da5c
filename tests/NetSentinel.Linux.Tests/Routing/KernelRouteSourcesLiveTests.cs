using System.Diagnostics;
using System.Net;
using NetSentinel.Core.Native;
using NetSentinel.Linux.Routing;
using NetSentinel.Tests.Shared;
using Xunit.Abstractions;

namespace NetSentinel.Linux.Tests.Routing;

/// <summary>
/// What a lookup costs the drain thread, in the monitor's namespace and entering another: bounded, so that asking the
/// routing table per new UDP flow never holds the drain back (the figures are printed for the docs).
/// </summary>
public sealed class KernelRouteSourcesLiveTests(ITestOutputHelper output)
{
    [Fact]
    public void ANamespaceNoLiveTaskIsInGivesNoSourceAndIsNotCachedAsAnAnswer()
    {
        using var routes = new KernelRouteSources(ownNamespace: 1);
        var query = new RouteQuery(IPAddress.Loopback, 40000, 53, 0, 0, 0);

        Assert.Null(routes.SourceFor(4026531999, int.MaxValue - 1, int.MaxValue - 1, query)); // no such task
        Assert.Equal(0, routes.Lookups);
        // The monitor's own namespace (here: "1") is answered through the socket opened at start.
        Assert.Equal(IPAddress.Loopback, routes.SourceFor(1, int.MaxValue - 1, int.MaxValue - 1, query));
        Assert.Equal(1, routes.Lookups);
    }

    [RootFact]
    public void ALookupTakesMicrosecondsAndEnteringANamespaceMilliseconds()
    {
        int fd = RouteSourceQuery.Open();
        try
        {
            const int Lookups = 2000;
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < Lookups; i++)
                Assert.Equal(IPAddress.Loopback, RouteSourceQuery.Ask(fd, new RouteQuery(IPAddress.Loopback, 40000 + (i % 1000), 53, 0, 0, 0), (uint)i + 1));
            double perLookupUs = Stopwatch.GetElapsedTime(start).TotalMicroseconds / Lookups;
            output.WriteLine($"RTM_GETROUTE in the monitor's namespace: {perLookupUs:F1} µs per lookup ({Lookups} lookups)");
            Assert.InRange(perLookupUs, 0, 500);
        }
        finally
        {
            LibC.Close(fd);
        }

        using var net = new TestNetwork();
        using var inside = new ManualResetEventSlim();
        using var done = new ManualResetEventSlim();
        uint tid = 0;
        var resident = new Thread(() =>
        {
            using var theirs = File.OpenHandle($"/run/netns/{net.Namespace}");
            using var self = File.OpenHandle("/proc/thread-self/ns/net");
            Assert.Equal(0, LibC.SetNs((int)theirs.DangerousGetHandle(), LibC.CLONE_NEWNET));
            tid = uint.Parse(Path.GetFileName(new FileInfo("/proc/thread-self").LinkTarget!), System.Globalization.CultureInfo.InvariantCulture);
            inside.Set();
            done.Wait(TimeSpan.FromSeconds(20));
            LibC.SetNs((int)self.DangerousGetHandle(), LibC.CLONE_NEWNET);
        });
        resident.Start();
        try
        {
            Assert.True(inside.Wait(TimeSpan.FromSeconds(10)));
            ulong netns = ulong.Parse(new FileInfo($"/proc/{tid}/ns/net").LinkTarget!.Split('[', ']')[1], System.Globalization.CultureInfo.InvariantCulture);
            using var routes = new KernelRouteSources();
            long start = Stopwatch.GetTimestamp();
            IPAddress? source = routes.SourceFor(netns, tid, (uint)Environment.ProcessId, new RouteQuery(net.HostV4, 40000, 53, 0, 0, 0));
            double enterMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            IPAddress? v6 = routes.SourceFor(netns, tid, (uint)Environment.ProcessId, new RouteQuery(net.HostV6, 40000, 53, 0, 0, 0));
            const int Misses = 500; // a different uid each: every one asks the kernel
            start = Stopwatch.GetTimestamp();
            for (uint uid = 1; uid <= Misses; uid++)
                Assert.Equal(net.PeerV4, routes.SourceFor(netns, tid, (uint)Environment.ProcessId, new RouteQuery(net.HostV4, 40000, 53, 0, 0, uid)));
            double nextUs = Stopwatch.GetElapsedTime(start).TotalMicroseconds / Misses;
            start = Stopwatch.GetTimestamp();
            for (int i = 0; i < Misses; i++)
                routes.SourceFor(netns, tid, (uint)Environment.ProcessId, new RouteQuery(net.HostV4, 40000, 53, 0, 0, 1));
            double cachedUs = Stopwatch.GetElapsedTime(start).TotalMicroseconds / Misses;
            output.WriteLine($"first lookup in another namespace (thread, setns, socket): {enterMs:F2} ms; each later uncached lookup there: {nextUs:F1} µs; cached: {cachedUs:F2} µs");
            Assert.Equal(net.PeerV4, source);
            Assert.Equal(net.PeerV6, v6);
            Assert.InRange(enterMs, 0, 100);
            Assert.InRange(nextUs, 0, 500);
            Assert.Equal(2 + Misses, routes.Lookups);
        }
        finally
        {
            done.Set();
            resident.Join();
        }
    }
}
