using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;

namespace NetSentinel.Core.Tests.Detection;

public class ExfiltrationDetectorTests
{
    private const long MB = 1_000_000;

    private static PipelineHarness Harness() => new(new MonitorConfig
    {
        IntervalSeconds = 60,
        BaselineSamples = 1,
        BytesPerSecThreshold = long.MaxValue / 2,
    });

    /// <summary>One connection moving <paramref name="sent"/>/<paramref name="received"/> bytes per minute for <paramref name="minutes"/>.</summary>
    private static void Transfer(PipelineHarness h, SyntheticEvents process, string remote, int minutes, long sent, long received)
    {
        var e = process.Opened(remote, 443);
        h.Pipeline.OnEvent(e);
        for (int m = 0; m < minutes; m++)
        {
            h.Pipeline.OnEvent(process.Traffic(e, sent, received));
            h.Tick();
        }
        h.Pipeline.OnEvent(process.Closed(e, sentTotal: sent * minutes));
    }

    private static void LearnOneInterval(PipelineHarness h, SyntheticEvents process, string remote)
    {
        h.Pipeline.OnEvent(process.Opened(remote, 443));
        h.Tick();
    }

    [Fact]
    public void SlowUploadToANewHostAlertsWhenTheHourlySumCrossesTheThreshold()
    {
        var h = Harness();
        var tool = new SyntheticEvents(h.Clock, SyntheticEvents.Process(31, "rclone", "/usr/bin/rclone"));
        LearnOneInterval(h, tool, "198.51.100.5");
        Transfer(h, tool, "203.0.113.50", minutes: 50, sent: 3 * MB, received: 20_000);

        var alert = Assert.Single(h.Sink.AlertsFor(ExfiltrationDetector.RuleName));
        Assert.Equal((102.0 * MB, 100.0 * MB, "bytes"), (alert.Value, alert.Threshold, alert.Unit));
        Assert.Equal((102 * MB, 34 * 20_000L), (alert.WindowBytesSent!.Value, alert.WindowBytesReceived!.Value));
        Assert.Equal(TimeSpan.FromHours(1), alert.Window);
        Assert.Equal("rclone (pid 31) sent 102.0 MB to 203.0.113.50 (received 680.0 kB) in 1 h 0 min, threshold 100.0 MB " +
                     "at 10x more sent than received; destination not in the baseline", alert.Message);
        Assert.Equal((1, 1), (alert.BaselineSamplesSeen, alert.BaselineSamplesRequired));
        Assert.Empty(h.Sink.AlertsFor(HighSendRateDetector.RuleName)); // 50 kB/s never trips the instantaneous rule
    }

    [Fact]
    public void ALargeDownloadIsNotExfiltration()
    {
        var h = Harness();
        var apt = new SyntheticEvents(h.Clock, SyntheticEvents.Process(32, "http", "/usr/lib/apt/methods/http"));
        LearnOneInterval(h, apt, "198.51.100.5");
        Transfer(h, apt, "203.0.113.80", minutes: 30, sent: 5 * MB, received: 100 * MB); // 150 MB sent, 3 GB received
        Assert.Empty(h.Sink.AlertsFor(ExfiltrationDetector.RuleName));
    }

    [Fact]
    public void ABackupToItsBaselinedServerIsNotExfiltration()
    {
        var h = Harness();
        var backup = new SyntheticEvents(h.Clock, SyntheticEvents.Process(33, "restic", "/usr/bin/restic"));
        LearnOneInterval(h, backup, "198.51.100.200");
        Transfer(h, backup, "198.51.100.201", minutes: 20, sent: 50 * MB, received: 10_000); // same /24, port 443
        Assert.Empty(h.Sink.AlertsFor(ExfiltrationDetector.RuleName));
        Assert.Empty(h.Sink.AlertsFor(NewDestinationDetector.RuleName));
    }

    [Fact]
    public void BytesOlderThanTheWindowDoNotCount()
    {
        var window = new SlidingByteWindow(TimeSpan.FromHours(1));
        var t = ManualClock.Start;
        window.Add(t, 60 * MB, 0);
        window.Add(t.AddMinutes(59), 30 * MB, 5);
        Assert.Equal((90 * MB, 5L), (window.Sent, window.Received));
        window.Add(t.AddMinutes(61), 1, 0);
        Assert.Equal((30 * MB + 1, 5L), (window.Sent, window.Received));
        window.Expire(t.AddHours(3));
        Assert.Equal((0L, 0L), (window.Sent, window.Received));
    }

    [Fact]
    public void AProgramThatUsuallyDownloadsAndSuddenlyUploadsIsFlagged()
    {
        var h = Harness();
        var browser = new SyntheticEvents(h.Clock, SyntheticEvents.Process(41, "firefox", "/usr/lib/firefox/firefox"));
        LearnOneInterval(h, browser, "198.51.100.5");
        Transfer(h, browser, "198.51.100.5", minutes: 10, sent: 1 * MB, received: 50 * MB); // its usual: receive-heavy
        Transfer(h, browser, "203.0.113.60", minutes: 50, sent: 3 * MB, received: 20_000);

        var alert = Assert.Single(h.Sink.AlertsFor(ExfiltrationDetector.RuleName));
        Assert.Equal(IPAddressOf("203.0.113.60"), alert.Remote!.Address);
    }

    [Fact]
    public void AProgramThatAlwaysUploadsIsJudgedAgainstItsOwnHistory()
    {
        var h = Harness();
        var sync = new SyntheticEvents(h.Clock, SyntheticEvents.Process(42, "syncd", "/usr/bin/syncd"));
        LearnOneInterval(h, sync, "198.51.100.5");
        // Its usual: 10 MB up for every 10 kB down, to its (baselined) server.
        Transfer(h, sync, "198.51.100.5", minutes: 20, sent: 10 * MB, received: 10_000);
        // The same upload as the rclone case above, to a new host: ~150:1, not 10x above its usual ~1000:1.
        Transfer(h, sync, "203.0.113.61", minutes: 50, sent: 3 * MB, received: 20_000);

        Assert.Empty(h.Sink.AlertsFor(ExfiltrationDetector.RuleName));
    }

    private static System.Net.IPAddress IPAddressOf(string text) => System.Net.IPAddress.Parse(text);

    [Fact]
    public void PastItsCapTheStalestWindowIsDroppedAndCounted()
    {
        var detector = new ExfiltrationDetector(TimeSpan.FromHours(1), 100 * MB, 10, new LearnedBaseline(24, 64));
        var clock = new ManualClock();
        var context = new AlertContext("test", clock.Now, 0, new BaselineProgress(0, 0));
        var process = new SyntheticEvents(clock, SyntheticEvents.Process(7, "rclone", "/usr/bin/rclone"));
        // The stalest: 60 MB to one place, below the threshold.
        var stalest = process.Opened("198.51.100.66", 443);
        detector.OnEvent(process.Traffic(stalest, 60 * MB), context);
        clock.AdvanceSeconds(1);
        for (int i = 1; i < ExfiltrationDetector.MaxTrackedPairs; i++)
        {
            detector.OnEvent(process.Traffic(process.Opened($"198.18.{i >> 8}.{i & 0xff}", 443), 1000), context);
        }
        Assert.Equal(0, detector.Evictions);
        detector.OnEvent(process.Traffic(process.Opened("198.51.100.67", 443), 1000), context); // one more: the stalest makes room
        Assert.Equal(1, detector.Evictions); // net_sentinel_exfiltration_windows_evicted_total
        // Its 60 MB are gone: 60 MB more is not a crossing of 100 MB.
        Assert.Null(detector.OnEvent(process.Traffic(stalest, 60 * MB), context));
    }
}
