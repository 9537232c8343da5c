using System.Net;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;
using Xunit.Abstractions;

namespace NetSentinel.Core.Tests.Detection;

/// <summary>
/// What a storm of alerts holds: bytes per open incident and per beacon series, measured over the real detector's
/// alerts for short-lived processes that carry what the eBPF catalog gives a process (args, executable, entity id,
/// a shared ancestry). The figures are printed (docs/detectors.md quotes them: the caps are set from them); the bounds
/// catch a regression by a large factor.
/// </summary>
[Collection(HeapMeasurementCollection.Name)]
public class AlertRetentionMemoryTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = ManualClock.Start;

    private static readonly ProcessInfo Parent = new()
    {
        Pid = 100, Name = "bash", Executable = "/usr/bin/bash", CommandLine = "/bin/bash /etc/cron.hourly/update",
        Args = ["/bin/bash", "/etc/cron.hourly/update"], IdentifiedBy = AttributionSource.Kernel,
    };

    /// <summary>One run of a re-spawned beacon: its own pid, command line, entity id and start; the parent's chain shared.</summary>
    private static ProcessInfo Run(int pid) => new()
    {
        Pid = pid, ParentPid = Parent.Pid, Uid = 0, UserName = "root", Name = "updater", Executable = "/opt/updater/bin/updater",
        ExecutableDevice = 2049, ExecutableInode = 131_072, CommandLine = $"/opt/updater/bin/updater --once --id {pid}",
        Args = ["/opt/updater/bin/updater", "--once", "--id", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)],
        IdentifiedBy = AttributionSource.Kernel, EntityId = $"pFQ3sYvQm0mC0k2yS1dV{pid:D8}", Start = Start.AddMilliseconds(pid),
        Ancestry = [Parent], CgroupPath = "/system.slice/cron.service", NetworkNamespace = 4_026_531_840,
    };

    private static ConnectionEvent Opened(ProcessInfo process, int port, DateTimeOffset at) => new()
    {
        Kind = ConnectionEventKind.Opened, Timestamp = at, ConnectionId = (ulong)((port << 8) + (process.Pid & 0xff)),
        Transport = Transport.Tcp, Local = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40_000 + (process.Pid % 20_000)),
        Remote = new IPEndPoint(IPAddress.Parse("198.51.100.2"), port), Process = process,
    };

    /// <summary>
    /// Beacons to <paramref name="destinations"/> ports, each reached every 2 s by a new process, until each has alerted
    /// once; returns the alerts (the detector's records, as the pipeline hands them to the incidents).
    /// </summary>
    /// <param name="into">When given, each alert goes into it as the pipeline hands it over (and is not returned).</param>
    private static List<AlertRecord> BeaconAlerts(BeaconDetector detector, int destinations, int connections, IncidentTracker? into = null)
    {
        var lines = new List<AlertRecord>();
        var alerts = new List<AlertRecord>(destinations);
        int pid = 10_000;
        for (int n = 0; n < connections; n++)
        {
            var at = Start.AddSeconds(2 * n);
            for (int port = 0; port < destinations; port++)
            {
                var opened = Opened(Run(pid++), 20_000 + port, at.AddMilliseconds(port % 1000));
                var context = new AlertContext("test", at, 0, new BaselineProgress(0, 0));
                if (detector.OnEvent(opened, context) is { } alert)
                {
                    if (into is null)
                    {
                        alerts.Add(alert);
                    }
                    else
                    {
                        into.Add(alert, alert.Timestamp, lines);
                        lines.Clear();
                    }
                }
                detector.OnEvent(opened with { Kind = ConnectionEventKind.Closed, BytesSent = 300, BytesReceived = 600 }, context);
            }
        }
        return alerts;
    }

    [Fact]
    public void An_open_beacon_incident_holds_its_latest_alert_and_little_else()
    {
        const int Incidents = 4_000;
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), Start);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        Feed(tracker, Incidents);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        long perIncident = (after - before) / Incidents;
        output.WriteLine($"open beacon incidents: {tracker.OpenCount}, {perIncident} bytes each (its latest alert and that run's process included); "
            + $"at the cap of {IncidentTracker.MaxOpenIncidents}: {perIncident * IncidentTracker.MaxOpenIncidents / 1048576.0:0.0} MiB");
        Assert.Equal(Incidents, tracker.OpenCount);
        Assert.InRange(perIncident, 200, 4_000);
        GC.KeepAlive(tracker);

        // Only the tracker holds the alerts: each incident's opening and two later runs' alerts go in, lines go out.
        static void Feed(IncidentTracker tracker, int incidents)
        {
            var detector = new BeaconDetector(10, 32, 0.85, TimeSpan.FromSeconds(1));
            var lines = new List<AlertRecord>();
            foreach (var alert in BeaconAlerts(detector, incidents, 12))
            {
                tracker.Add(alert, alert.Timestamp, lines);
                lines.Clear();
            }
        }
    }

    [Fact]
    public void A_beaconing_destination_counted_in_place_holds_its_series_its_incident_and_the_latest_run()
    {
        // As the monitor runs it: the detector counts each later run into the open incident (IncidentTracker.TryCount).
        const int Destinations = 4_000;
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), Start);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var detector = new BeaconDetector(10, 32, 0.85, TimeSpan.FromSeconds(1), incidents: tracker);
        BeaconAlerts(detector, Destinations, 40, tracker); // 40 runs each: a full series, 30 runs counted
        long after = GC.GetTotalMemory(forceFullCollection: true);
        long perDestination = (after - before) / Destinations;
        output.WriteLine($"beaconing destination counted in place (a full series, an open incident, the latest run's process): {perDestination} bytes each");
        Assert.Equal(Destinations, tracker.OpenCount);
        // With the opening alert (and its run's process) kept beside the latest evidence: 3.4 KB; with an alert per run, ~2.6 KB + garbage.
        Assert.InRange(perDestination, 300, 2_500);
        GC.KeepAlive(tracker);
        GC.KeepAlive(detector);
    }

    [Fact]
    public void A_full_beacon_series_costs_what_its_starts_and_sizes_take()
    {
        const int Series = 4_000;
        var detector = new BeaconDetector(10, 32, 0.85, TimeSpan.FromSeconds(1));
        long before = GC.GetTotalMemory(forceFullCollection: true);
        int alerts = BeaconAlerts(detector, Series, 40).Count; // 40 starts: every series holds its full history of 32
        long after = GC.GetTotalMemory(forceFullCollection: true);
        long perSeries = (after - before) / Series;
        output.WriteLine($"beacon series with a full history (32 starts and sizes): {perSeries} bytes each; "
            + $"at the cap of {BeaconDetector.MaxTrackedSeries}: {perSeries * BeaconDetector.MaxTrackedSeries / 1048576.0:0.0} MiB ({alerts} alerts raised)");
        Assert.True(alerts >= Series);
        Assert.InRange(perSeries, 100, 2_000);
        GC.KeepAlive(detector);
    }
}
