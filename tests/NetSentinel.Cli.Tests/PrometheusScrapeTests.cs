using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Cli.Tests;

/// <summary>
/// Issue 16: the metrics endpoint scraped by a real Prometheus (Debian's <c>prometheus</c>, started here with
/// its own config, storage and port): after a known number of connections to a namespace test host,
/// PromQL through Prometheus's HTTP API returns exactly that number. Prometheus parsing every scrape
/// (<c>up == 1</c>, no sample rejected) is the test of the exposition format.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class PrometheusScrapeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ns-prometheus-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [RootFact]
    public void PrometheusCountsExactlyTheConnectionsMade()
    {
        const int Connections = 250;
        using var host = new AcceptingTestHost();
        string log = Path.Combine(_dir, "log.jsonl");
        string config = Path.Combine(_dir, "metrics.toml");
        // Only this test's host is analysed: other engineers' traffic on this machine counts as ignored, not as ours.
        File.WriteAllText(config, host.OnlyThisHostAllowlist +
                                  "[metrics]\nlisten = \"127.0.0.1:0\"\n");
        using var monitor = CliRun.Start(["-c", config, "--source", "ebpf", "--log-connections", "--no-baseline", "--interval", "1", "--duration", "120", "--log-file", log]);
        Process? prometheus = null;
        try
        {
            string metricsUrl = CliRun.WaitForLine(monitor.StandardError, "metrics at http://");
            string target = new Uri(metricsUrl[metricsUrl.IndexOf("http://", StringComparison.Ordinal)..]).Authority;
            int prometheusPort = FreeLoopbackPort();
            prometheus = StartPrometheus(target, prometheusPort);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{prometheusPort}"), Timeout = TimeSpan.FromSeconds(5) };
            WaitUntil(() => Query(http, "up{job=\"net-sentinel\"}") == 1, "Prometheus did not scrape the monitor (up == 1)");

            host.Connect(Connections);

            WaitUntil(() => Query(http, "net_sentinel_events_analysed_total{kind=\"closed\"}") >= Connections, "the closes did not reach Prometheus");
            Assert.Equal(Connections, Query(http, "net_sentinel_events_analysed_total{kind=\"opened\"}"));
            Assert.Equal(Connections, Query(http, "net_sentinel_events_analysed_total{kind=\"closed\"}"));
            // --no-baseline: the first connection to the host is a new destination, one incident opened.
            Assert.Equal(1, Query(http, "sum(net_sentinel_alerts_total{rule=\"new_destination\",phase=\"opened\"})"));
            // The file wrote every line it was given (2 per connection plus the alert), nothing dropped.
            Assert.True(Query(http, "net_sentinel_output_lines_total{output=\"file\"}") >= 2 * Connections + 1);
            Assert.Equal(0, Query(http, "sum(net_sentinel_output_lines_dropped_total)"));
            Assert.Equal(1, Query(http, "up{job=\"net-sentinel\"}"));
            Assert.True(Query(http, "scrape_samples_scraped{job=\"net-sentinel\"}") > 40, "Prometheus took few samples from a scrape");
            Assert.True(Query(http, "process_resident_memory_bytes{job=\"net-sentinel\"}") > 1_000_000);
            Assert.Equal(4 << 20, Query(http, "net_sentinel_ring_buffer_capacity_bytes"));
            Assert.InRange(Query(http, "net_sentinel_ring_buffer_bytes"), 0, 4 << 20);
        }
        finally
        {
            if (prometheus is not null)
            {
                if (!prometheus.HasExited) prometheus.Kill(entireProcessTree: true);
                prometheus.WaitForExit(10_000);
                prometheus.Dispose();
            }
            if (!monitor.HasExited) monitor.Kill();
        }
    }

    private Process StartPrometheus(string target, int port)
    {
        string configFile = Path.Combine(_dir, "prometheus.yml");
        File.WriteAllText(configFile, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: net-sentinel
                static_configs:
                  - targets: ["{target}"]
            """);
        var psi = new ProcessStartInfo("prometheus") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { $"--config.file={configFile}", $"--storage.tsdb.path={Path.Combine(_dir, "tsdb")}", $"--web.listen-address=127.0.0.1:{port}" })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The single value of an instant PromQL query through the HTTP API; NaN when it has no result yet.</summary>
    private static double Query(HttpClient http, string promql)
    {
        try
        {
            string body = http.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(promql)}").GetAwaiter().GetResult();
            var data = JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("result");
            if (data.GetArrayLength() != 1) return double.NaN;
            return double.Parse(data[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException)
        {
            return double.NaN; // Prometheus is still starting
        }
        catch (TaskCanceledException)
        {
            return double.NaN;
        }
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(what);
            Thread.Sleep(250);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
