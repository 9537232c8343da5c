using System.Net;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Dns;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Detection;

/// <summary>
/// A beacon's connections counted into its open incident without an alert each (<see cref="IncidentTracker.TryCount"/>):
/// the lines a user gets are the ones every alert built and added would have made — counts, the latest run named, a
/// rotating address listed — and a counted connection allocates next to nothing.
/// </summary>
public class BeaconCountingTests
{
    private static readonly DateTimeOffset Start = ManualClock.Start;

    private static ProcessInfo Run(int pid) => new()
    {
        Pid = pid, ParentPid = 100, Name = "updater", Executable = "/opt/updater/bin/updater",
        CommandLine = $"/opt/updater/bin/updater --once --id {pid}", IdentifiedBy = AttributionSource.Kernel,
        Start = Start.AddMilliseconds(pid),
    };

    /// <summary>
    /// Each of <paramref name="ports"/> ports reached every 2 s by a new run (one pid per connection), with the interval
    /// ends of a 5 s interval in between, as the pipeline drives detector and tracker; returns every line written.
    /// <paramref name="counted"/>: the detector counts into the tracker (the monitor); false: every alert is built and added.
    /// </summary>
    private static List<AlertRecord> Storm(bool counted, int ports, int rounds, double cooldown, Func<int, int, string>? address = null,
        DomainNames? names = null, Action<IncidentTracker, DateTimeOffset, List<AlertRecord>>? before = null)
    {
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(cooldown), TimeSpan.FromSeconds(60), Start);
        var detector = new BeaconDetector(10, 32, 0.85, TimeSpan.FromSeconds(1), incidents: counted ? tracker : null);
        var lines = new List<AlertRecord>();
        before?.Invoke(tracker, Start, lines);
        int pid = 10_000;
        var nextTick = Start.AddSeconds(5);
        for (int round = 0; round < rounds; round++)
        {
            var at = Start.AddSeconds(2 * round);
            if (at >= nextTick)
            {
                tracker.Tick(nextTick, lines);
                nextTick = nextTick.AddSeconds(5);
            }
            for (int port = 0; port < ports; port++)
            {
                var opened = new ConnectionEvent
                {
                    Kind = ConnectionEventKind.Opened, Timestamp = at, ConnectionId = (ulong)pid, Transport = Transport.Tcp,
                    Local = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40_000 + (pid % 20_000)),
                    Remote = new IPEndPoint(IPAddress.Parse(address?.Invoke(round, port) ?? "198.51.100.2"), 20_000 + port),
                    Process = Run(pid++), Names = names,
                };
                var context = new AlertContext("test", at, 0, new BaselineProgress(0, 0));
                if (detector.OnEvent(opened, context) is { } alert)
                {
                    tracker.Add(alert, at, lines);
                }
                detector.OnEvent(opened with { Kind = ConnectionEventKind.Closed, BytesSent = 300, BytesReceived = 600 }, context);
            }
        }
        tracker.CloseAll(Start.AddSeconds(2 * rounds), lines);
        return lines;
    }

    /// <summary>What a user reads of a line: everything the formatter writes that an alert and its incident decide.</summary>
    private static string Read(AlertRecord line) =>
        $"{line.Timestamp:O} {line.Severity} {line.Process.Pid} {line.Local} {line.Remote} {line.Value} {line.Window} {line.Observations} " +
        $"{line.ActivityStart:O} {line.Names?.Domain} | {line.Message} | {line.Incident!.Phase} {line.Incident.Alerts} {line.Incident.Processes} " +
        $"{line.Incident.Destinations} {line.Incident.FirstSeen:O} {line.Incident.LastSeen:O}";

    [Theory]
    [InlineData(300)] // the default cooldown: an opening, then the closing line
    [InlineData(7)] // updates due during the storm: each is built from the connection that made it due
    public void The_lines_are_those_every_alert_built_would_have_made(double cooldown)
    {
        var every = Storm(counted: false, ports: 20, rounds: 40, cooldown).Select(Read).ToList();
        var counted = Storm(counted: true, ports: 20, rounds: 40, cooldown).Select(Read).ToList();

        Assert.True(every.Count >= 40, $"{every.Count} lines");
        Assert.Equal(every, counted);
    }

    [Fact]
    public void The_closing_line_names_the_latest_run_and_counts_every_connection_that_alerted()
    {
        var lines = Storm(counted: true, ports: 1, rounds: 40, cooldown: 300);

        var closing = Assert.Single(lines, l => l.Incident!.Phase == IncidentPhase.Closed);
        // 40 runs, the first 9 too few to score: 31 alerts from 31 processes, the last run (pid 10,039) named.
        Assert.Equal((31L, 31L), (closing.Incident!.Alerts, closing.Incident.Processes));
        Assert.Equal(10_039, closing.Process.Pid);
        Assert.StartsWith("updater (pid 10039) connects to 198.51.100.2:20000", closing.Message);
        Assert.Contains("over 32 connections in 1 min 2 s (40 observed)", closing.Message);
    }

    [Fact]
    public void A_named_beacon_reaching_another_address_lists_it_as_every_alert_would()
    {
        var names = new DomainNames("updates.example", []);
        Func<int, int, string> rotating = (round, _) => round % 10 < 5 ? "198.51.100.2" : "198.51.100.3";

        var every = Storm(counted: false, 1, 40, 300, rotating, names).Select(Read).ToList();
        var counted = Storm(counted: true, 1, 40, 300, rotating, names);

        Assert.Equal(every, counted.Select(Read).ToList());
        Assert.Equal(2, counted.Last().Incident!.Destinations);
    }

    [Fact]
    public void An_open_exfiltration_of_the_program_lets_every_beacon_alert_through_for_the_raise_to_high()
    {
        // The exfiltration is to the beacon's destination: the beacon's first alert raises both, as it would uncounted.
        void Exfiltration(IncidentTracker tracker, DateTimeOffset at, List<AlertRecord> lines) => tracker.Add(new AlertRecord
        {
            Timestamp = at, Source = "test", Rule = ExfiltrationDetector.RuleName, Severity = Severity.Medium, Message = "exfiltration",
            Process = Run(9_999), Value = 1, Threshold = 1, Unit = "bytes", Window = TimeSpan.FromSeconds(60),
            Remote = new IPEndPoint(IPAddress.Parse("198.51.100.2"), 443), Transport = Transport.Tcp,
        }, at, lines);

        var every = Storm(counted: false, 3, 40, 300, before: Exfiltration).Select(Read).ToList();
        var counted = Storm(counted: true, 3, 40, 300, before: Exfiltration).Select(Read).ToList();

        Assert.Equal(every, counted);
        Assert.Contains(counted, line => line.Contains("raised to high", StringComparison.Ordinal));
    }

    [Fact]
    public void A_connection_counted_into_an_open_incident_allocates_no_alert()
    {
        var tracker = new IncidentTracker(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), Start);
        var detector = new BeaconDetector(10, 32, 0.85, TimeSpan.FromSeconds(1), incidents: tracker);
        var lines = new List<AlertRecord>();
        var process = Run(10_000);
        var events = Enumerable.Range(0, 140).Select(n => new ConnectionEvent
        {
            Kind = ConnectionEventKind.Opened, Timestamp = Start.AddSeconds(2 * n), ConnectionId = (ulong)n, Transport = Transport.Tcp,
            Local = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40_000), Remote = new IPEndPoint(IPAddress.Parse("198.51.100.2"), 443),
            Process = process,
        }).ToList();
        void Feed(ConnectionEvent e)
        {
            var context = new AlertContext("test", e.Timestamp, 0, new BaselineProgress(0, 0));
            if (detector.OnEvent(e, context) is { } alert)
            {
                tracker.Add(alert, e.Timestamp, lines);
            }
        }
        foreach (var e in events.Take(60))
        {
            Feed(e); // the incident opens; the series' rings are full
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var e in events.Skip(60))
        {
            Feed(e);
        }
        long perConnection = (GC.GetAllocatedBytesForCurrentThread() - before) / 80;

        Assert.Single(lines); // the opening: every later alert was counted (280 s: within the 300 s cooldown)
        // Building each alert (its record, message, endpoint) and scoring over lists took ~3 KB per connection.
        Assert.True(perConnection < 64, $"{perConnection} bytes per counted connection");
        tracker.CloseAll(Start.AddSeconds(300), lines);
        Assert.Equal(131, lines[^1].Incident!.Alerts);
    }
}
