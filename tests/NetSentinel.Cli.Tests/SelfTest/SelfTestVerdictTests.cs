using System.Net;
using NetSentinel.Cli.SelfTest;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Cli.Tests.SelfTest;

/// <summary>The self-test's judgement, on alert lines the real pipeline and formatter write.</summary>
public sealed class SelfTestVerdictTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ns-selftest-verdict-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly SelfTestAddresses At = new(IPAddress.Parse("198.51.100.5"), IPAddress.Parse("198.51.100.6"), IPAddress.Parse("2001:db8::1:2"), 4);

    /// <summary>A real pipeline, writing through the real formatter to a file: a 200-port sweep by "port-sweep" and a blocklisted connect by "dropper".</summary>
    private string WriteLogOfARealPipeline()
    {
        string path = Path.Combine(_dir, "alerts.jsonl");
        using (var file = File.Create(path))
        using (var sink = new JsonlStreamSink(file))
        {
            var start = DateTimeOffset.Parse("2026-11-30T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
            var clock = new FixedClock(start);
            var pipeline = new DetectionPipeline(new MonitorConfig { BaselineSamples = 0 }, sink, "ebpf", clock, learnBaseline: true,
                blocklist: new AddressSet([Prefix("198.19.7.66/32")]));
            var sweeper = Process(100, "port-sweep", Path.Combine(_dir, "port-sweep"));
            for (int port = 1; port <= 200; port++)
            {
                var e = Event(ConnectionEventKind.Opened, sweeper, "198.51.100.6", port, (ulong)port, clock.Now);
                pipeline.OnEvent(e);
                pipeline.OnEvent(e with { Kind = ConnectionEventKind.Closed, Failed = true });
            }
            var dropper = Process(101, "dropper", null); // gone before its path was read: matched by name
            pipeline.OnEvent(Event(ConnectionEventKind.Opened, dropper, "198.19.7.66", 8080, 999, clock.Now));
            clock.Now = start.AddSeconds(5);
            pipeline.EndInterval(clock.Now, 0, null);
            pipeline.Flush(clock.Now);
        }
        return path;
    }

    [Fact]
    public void TheReaderFindsWhatTheRealFormatterWroteAndTheVerdictJudgesIt()
    {
        string log = WriteLogOfARealPipeline();
        var (alerts, unreadable) = AlertLog.Read(log);
        Assert.Equal(0, unreadable);
        var sweepLines = alerts.Where(a => a.Pid == 100).ToList();
        Assert.Contains(sweepLines, a => a is { Rule: ScanDetector.RuleName, Severity: Severity.Medium, Phase: "opened" });
        Assert.All(sweepLines, a => Assert.Equal(Path.Combine(_dir, "port-sweep"), a.Executable));

        var library = ScenarioLibrary.For(new MonitorConfig(), At, 40001).ToDictionary(s => s.Name);
        var sweep = ScenarioOutcome.Of(library["port-sweep"], Path.Combine(_dir, "port-sweep"), alerts, null);
        var dropper = ScenarioOutcome.Of(library["dropper"], Path.Combine(_dir, "dropper"), alerts, null);
        var quiet = ScenarioOutcome.Of(library["backup"], Path.Combine(_dir, "backup"), alerts, null);
        Assert.Equal((true, sweepLines.Count, null), (sweep.Detected, sweep.Lines, sweep.Failure));
        Assert.InRange(sweep.Lines, 1, SelfTestVerdict.MaxSweepLines);
        Assert.Equal((true, Severity.High), (dropper.Detected, dropper.Fired[BlocklistDetector.RuleName]));
        Assert.Equal((0, false, null), (quiet.Lines, quiet.Flagged, quiet.Failure));

        var verdict = new SelfTestVerdict([sweep, dropper, quiet]);
        Assert.True(verdict.Passed);
        var table = new StringWriter();
        verdict.WriteTable(table);
        Assert.Contains("recall 2/2 = 1.00", table.ToString());
        Assert.Contains("precision 2/2 = 1.00", table.ToString());
        Assert.Matches(@"backup\s+look-alike of burst-upload\s+nothing above low\s+-\s+0\s+ok", table.ToString());
    }

    /// <summary>A log the monitor rotated (x.jsonl.2, x.jsonl.1, x.jsonl) is read whole, oldest first: no alert is missed.</summary>
    [Fact]
    public void TheReaderReadsTheFilesTheLogWasRotatedIntoOldestFirst()
    {
        string log = WriteLogOfARealPipeline();
        var (whole, _) = AlertLog.Read(log);
        string[] lines = File.ReadAllLines(log);
        Assert.True(lines.Length >= 3, $"{lines.Length} lines");
        int third = lines.Length / 3;
        File.WriteAllLines(log + ".2", lines[..third]);
        File.WriteAllLines(log + ".1", lines[third..(2 * third)]);
        File.WriteAllLines(log, lines[(2 * third)..]);

        var (rotated, unreadable) = AlertLog.Read(log);
        Assert.Equal(0, unreadable);
        Assert.Equal(whole, rotated);
    }

    [Fact]
    public void AMissedAttackAFlaggedLookAlikeALongSweepAndAFailedProgramEachFail()
    {
        var library = ScenarioLibrary.For(new MonitorConfig(), At, 40001).ToDictionary(s => s.Name);
        AlertLine Line(string name, string rule, Severity severity) => new(rule, severity, 1, "/x/" + name, name, "opened");
        var missed = ScenarioOutcome.Of(library["tcp-beacon"], "/x/tcp-beacon", [Line("tcp-beacon", NewDestinationDetector.RuleName, Severity.Low)], null);
        var lowBeacon = ScenarioOutcome.Of(library["udp-beacon"], "/x/udp-beacon", [Line("udp-beacon", BeaconDetector.RuleName, Severity.Low)], null);
        var flagged = ScenarioOutcome.Of(library["heartbeat"], "/x/heartbeat", [Line("heartbeat", BeaconDetector.RuleName, Severity.Medium)], null);
        var longSweep = ScenarioOutcome.Of(library["host-sweep"], "/x/host-sweep",
            [.. Enumerable.Repeat(Line("host-sweep", ScanDetector.RuleName, Severity.Medium), 4)], null);
        var broken = ScenarioOutcome.Of(library["dropper"], "/x/dropper", [Line("dropper", BlocklistDetector.RuleName, Severity.High)], "exit 3: timed out");

        Assert.StartsWith("missed: no beacon", missed.Failure);
        Assert.StartsWith("missed: no beacon", lowBeacon.Failure); // an attack at low is not detected
        Assert.Equal("a look-alike raised medium or higher", flagged.Failure);
        Assert.Equal("a sweep wrote 4 alert lines (at most 3)", longSweep.Failure);
        Assert.Equal("the program failed: exit 3: timed out", broken.Failure);

        var verdict = new SelfTestVerdict([missed, lowBeacon, flagged, longSweep, broken]);
        Assert.False(verdict.Passed);
        Assert.Equal((4, 2, 3, 2), (verdict.Attacks, verdict.Detected, verdict.Flagged, verdict.FlaggedAttacks));
    }

    /// <summary>
    /// A missed attack is explained from the connection lines the real pipeline and formatter write: twelve connects
    /// of "tcp-beacon" two seconds apart, 800 bytes each, where two lines of its pid lost their executable (the kind of
    /// split that keeps a series short) — and the beacon score of what was logged.
    /// </summary>
    [Fact]
    public void AFailedScenarioIsExplainedByWhatTheMonitorLoggedOfItsProgram()
    {
        string path = Path.Combine(_dir, "connections.jsonl");
        string executable = Path.Combine(_dir, "tcp-beacon");
        using (var file = File.Create(path))
        using (var sink = new JsonlStreamSink(file))
        {
            var start = DateTimeOffset.Parse("2026-11-30T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
            var clock = new FixedClock(start);
            var pipeline = new DetectionPipeline(new MonitorConfig { BaselineSamples = 0, LogConnections = true }, sink, "ebpf", clock, learnBaseline: true);
            var beacon = Process(200, "tcp-beacon", executable);
            var nameless = Process(200, "tcp-beacon", null);
            for (int i = 0; i < 12; i++)
            {
                clock.Now = start.AddSeconds(2 * i);
                var opened = Event(ConnectionEventKind.Opened, i is 5 or 6 ? nameless : beacon, "198.19.22.10", 8443, (ulong)(i + 1), clock.Now);
                pipeline.OnEvent(opened);
                pipeline.OnEvent(opened with { Kind = ConnectionEventKind.Closed, Timestamp = clock.Now.AddMilliseconds(5), BytesSent = 200, BytesReceived = 600 });
            }
            pipeline.Flush(clock.Now);
        }

        var connections = AlertLog.ReadConnections(File.ReadLines(path));
        Assert.Equal(24, connections.Count(c => c.Pid == 200));
        string evidence = ScenarioEvidence.Describe("tcp-beacon", executable, connections);
        Assert.StartsWith("tcp-beacon: the monitor logged 12 starts and 12 ends of pid 200", evidence);
        Assert.Contains($"executables {executable} ×20, (none) ×4", evidence);
        Assert.Contains("198.19.22.10:8443/tcp ×12, starts every 2.00–2.00 s (median 2.00 s), 12 ended with 800–800 bytes (median 800), beacon score 1.00 (timing 1.00, size 1.00)", evidence);
        Assert.Equal($"udp-beacon: the monitor logged no connection of {_dir}/udp-beacon",
            ScenarioEvidence.Describe("udp-beacon", Path.Combine(_dir, "udp-beacon"), connections));
    }

    private static NetworkPrefix Prefix(string text) => NetworkPrefix.TryParse(text, out var prefix, out _) ? prefix : throw new FormatException(text);

    private static ProcessInfo Process(int pid, string name, string? executable) =>
        new() { Pid = pid, Name = name, Executable = executable, IdentifiedBy = AttributionSource.Kernel };

    private static ConnectionEvent Event(ConnectionEventKind kind, ProcessInfo process, string remote, int port, ulong id, DateTimeOffset at) => new()
    {
        Kind = kind,
        Timestamp = at,
        ConnectionId = id,
        Transport = Transport.Tcp,
        Local = new IPEndPoint(IPAddress.Parse("198.51.100.5"), 40000),
        Remote = new IPEndPoint(IPAddress.Parse(remote), port),
        Process = process,
    };

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
