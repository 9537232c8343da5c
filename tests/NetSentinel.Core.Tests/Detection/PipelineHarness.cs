using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;

namespace NetSentinel.Core.Tests.Detection;

/// <summary>A pipeline wired to a manual clock and a collecting sink, with a tick that ends an interval on schedule.</summary>
internal sealed class PipelineHarness
{
    public PipelineHarness(MonitorConfig config, bool learnBaseline = true, NetSentinel.Core.Dns.DomainBlocklist? blockedDomains = null)
    {
        Config = config;
        Pipeline = new DetectionPipeline(config, Sink, "test", Clock, learnBaseline, blockedDomains: blockedDomains);
    }

    public MonitorConfig Config { get; }
    public ManualClock Clock { get; } = new();
    public CollectingSink Sink { get; } = new();
    public DetectionPipeline Pipeline { get; }

    /// <summary>Moves the clock by the configured interval (or <paramref name="seconds"/>) and ends the interval there.</summary>
    public IntervalSummary Tick(double? seconds = null, long eventsLostTotal = 0, double? hostRate = null)
    {
        Clock.AdvanceSeconds(seconds ?? Config.IntervalSeconds);
        return Pipeline.EndInterval(Clock.Now, eventsLostTotal, hostRate);
    }
}
