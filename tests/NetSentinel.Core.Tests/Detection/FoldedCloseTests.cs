using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Flows;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;
using NetSentinel.Core.Sources;

namespace NetSentinel.Core.Tests.Detection;

/// <summary>
/// A close carries its flow's last delta (<see cref="ConnectionEvent.UnreportedSent"/>) instead of a Traffic event
/// before it (issue #15: a connection with bytes is two events through the pipeline, not three). The detectors must
/// see the same traffic: the same uploads through the ledger raise the same alerts and the same interval sums as the
/// stream the ledger wrote before, where a Traffic event with the remainder came first.
/// </summary>
public class FoldedCloseTests
{
    private static readonly MonitorConfig Config = new() { ExfiltrationBytesThreshold = 20_000_000, BytesPerSecThreshold = 1_000_000 };
    private static readonly ProcessInfo Uploader = SyntheticEvents.Process(4242, "rclone", "/usr/bin/rclone");

    [Fact]
    public void UploadsClosingWithTheirLastDeltaAlertAndSumAsWithATrafficEventBeforeTheClose()
    {
        var folded = new PipelineHarness(Config, learnBaseline: false);
        var separate = new PipelineHarness(Config, learnBaseline: false);
        var ledger = new FlowLedger<ulong>(folded.Clock);
        var unfolded = new Unfold(separate.Pipeline);
        var summaries = new List<(IntervalSummary Folded, IntervalSummary Separate)>();

        for (ulong i = 1; i <= 40; i++)
        {
            // Each upload: 1.5 MB out, 2 KB back, its counters read once mid-life (a Traffic event) and again at the close.
            var local = SyntheticEvents.Endpoint("198.51.100.1", 40000 + (int)i);
            var remote = SyntheticEvents.Endpoint("198.51.100.77", 443);
            var flow = ledger.Open(i, i, Transport.Tcp, local, remote, Uploader, folded.Clock.Now, Both(folded.Pipeline, unfolded))!;
            Advance(folded, separate, 0.2);
            ledger.Observe(flow, 500_000, 1_000, folded.Clock.Now);
            ledger.Report(flow, folded.Clock.Now, Both(folded.Pipeline, unfolded));
            Advance(folded, separate, 0.2);
            ledger.Observe(flow, 1_500_000, 2_000, folded.Clock.Now);
            ledger.Close(flow, folded.Clock.Now, Both(folded.Pipeline, unfolded));
            if (i % 10 == 0) summaries.Add((folded.Tick(), separate.Tick()));
        }

        Assert.Equal(Lines(separate.Sink), Lines(folded.Sink));
        Assert.Contains(folded.Sink.Alerts, a => a.Rule == ExfiltrationDetector.RuleName);
        Assert.Contains(folded.Sink.Alerts, a => a.Rule == HighSendRateDetector.RuleName);
        foreach (var (f, s) in summaries)
        {
            Assert.Equal(s.Processes.Select(p => (p.Pid, p.BytesSent, p.BytesReceived)), f.Processes.Select(p => (p.Pid, p.BytesSent, p.BytesReceived)));
        }
        Assert.Equal(15_000_000L, summaries[0].Folded.Processes.Single().BytesSent);
    }

    private static void Advance(PipelineHarness a, PipelineHarness b, double seconds)
    {
        a.Clock.AdvanceSeconds(seconds);
        b.Clock.AdvanceSeconds(seconds);
    }

    private static IEnumerable<string> Lines(CollectingSink sink) =>
        sink.Alerts.Select(a => $"{a.Rule} {a.Severity} {a.Value} {a.Message}");

    private static IConnectionEventSink Both(IConnectionEventSink first, IConnectionEventSink second) => new Tee(first, second);

    private sealed class Tee(IConnectionEventSink first, IConnectionEventSink second) : IConnectionEventSink
    {
        public void OnEvent(ConnectionEvent connectionEvent)
        {
            first.OnEvent(connectionEvent);
            second.OnEvent(connectionEvent);
        }
    }

    /// <summary>The stream as the ledger wrote it before: a close's remainder as a Traffic event of its own, then the close.</summary>
    private sealed class Unfold(IConnectionEventSink pipeline) : IConnectionEventSink
    {
        public void OnEvent(ConnectionEvent connectionEvent)
        {
            if (connectionEvent.Kind == ConnectionEventKind.Closed && (connectionEvent.UnreportedSent > 0 || connectionEvent.UnreportedReceived > 0))
            {
                pipeline.OnEvent(connectionEvent with
                {
                    Kind = ConnectionEventKind.Traffic,
                    BytesSent = connectionEvent.UnreportedSent,
                    BytesReceived = connectionEvent.UnreportedReceived,
                    UnreportedSent = 0,
                    UnreportedReceived = 0,
                    Duration = TimeSpan.Zero,
                    Failed = false,
                });
            }
            pipeline.OnEvent(connectionEvent with { UnreportedSent = 0, UnreportedReceived = 0 });
        }
    }
}
