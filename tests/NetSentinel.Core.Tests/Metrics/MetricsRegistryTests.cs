using NetSentinel.Core.Metrics;

namespace NetSentinel.Core.Tests.Metrics;

public sealed class MetricsRegistryTests
{
    [Fact]
    public void WritesTheTextFormatWithHelpTypeAndEscapedLabels()
    {
        var registry = new MetricsRegistry();
        var alerts = new LabelledCounter();
        alerts.Increment("scan", "high");
        alerts.Add(2, "a\"b\\c\nd", "low");
        registry.Counter("net_sentinel_alerts_total", "Alert lines\\written,\nby rule.", ["rule", "severity"], alerts.Samples);
        registry.Gauge("net_sentinel_drain_lag_seconds", "Lag.", () => 0.25);
        registry.Gauge("net_sentinel_odd", "Odd values.", ["v"], () => [new MetricSample(double.NaN, "nan"), new MetricSample(double.PositiveInfinity, "inf"), new MetricSample(1e21, "big")]);

        Assert.Equal(
            """
            # HELP net_sentinel_alerts_total Alert lines\\written,\nby rule.
            # TYPE net_sentinel_alerts_total counter
            net_sentinel_alerts_total{rule="a\"b\\c\nd",severity="low"} 2
            net_sentinel_alerts_total{rule="scan",severity="high"} 1
            # HELP net_sentinel_drain_lag_seconds Lag.
            # TYPE net_sentinel_drain_lag_seconds gauge
            net_sentinel_drain_lag_seconds 0.25
            # HELP net_sentinel_odd Odd values.
            # TYPE net_sentinel_odd gauge
            net_sentinel_odd{v="nan"} NaN
            net_sentinel_odd{v="inf"} +Inf
            net_sentinel_odd{v="big"} 1E+21

            """.ReplaceLineEndings("\n"),
            registry.Write());
    }

    [Theory]
    [InlineData("net_sentinel_events", "a counter's name ends in _total")]
    [InlineData("9lives_total", "not a valid Prometheus metric or label name")]
    [InlineData("net-sentinel_total", "not a valid Prometheus metric or label name")]
    public void RefusesNamesPrometheusWouldNot(string name, string problem)
    {
        var e = Assert.Throws<ArgumentException>(() => new MetricsRegistry().Counter(name, "x", () => 1));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesTheSameNameTwice()
    {
        var registry = new MetricsRegistry();
        registry.Gauge("net_sentinel_x", "x", () => 1);
        Assert.Throws<ArgumentException>(() => registry.Gauge("net_sentinel_x", "x", () => 2));
    }

    [Theory]
    [InlineData("127.0.0.1:9469", true)]
    [InlineData("[::1]:9469", true)]
    [InlineData("/run/net-sentinel/metrics.sock", true)]
    [InlineData("0.0.0.0:9469", false)]
    [InlineData("198.51.100.7:9469", false)]
    [InlineData("[::]:9469", false)]
    public void EndpointsKnowWhetherOnlyThisHostReachesThem(string text, bool local)
    {
        var endpoint = MetricsEndpoint.TryParse(text, out string problem);
        Assert.True(endpoint is not null, problem);
        Assert.Equal(local, endpoint.IsLocal);
    }

    [Theory]
    [InlineData("localhost:9469", "not a name")]
    [InlineData("::1:9469", "not a name")]
    [InlineData("127.0.0.1", "must be ADDRESS:PORT")]
    [InlineData("127.0.0.1:65536", "must be ADDRESS:PORT")]
    [InlineData("unix:/run/x.sock", "must be ADDRESS:PORT")]
    public void BadEndpointsSayWhatIsWrong(string text, string problem)
    {
        Assert.Null(MetricsEndpoint.TryParse(text, out string said));
        Assert.Contains(problem, said, StringComparison.Ordinal);
    }
}
