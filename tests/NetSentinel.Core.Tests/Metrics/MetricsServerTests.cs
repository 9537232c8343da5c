using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NetSentinel.Core.Metrics;

namespace NetSentinel.Core.Tests.Metrics;

/// <summary>The framework-free HTTP responder: what it answers, and what a slow or hostile client costs.</summary>
public sealed class MetricsServerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ns-metrics-").FullName;
    private readonly MetricsRegistry _registry = new();

    public MetricsServerTests() => _registry.Gauge("net_sentinel_test_value", "A value.", () => 42);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private MetricsServer Start(string listen = "127.0.0.1:0") => new(_registry, MetricsEndpoint.TryParse(listen, out _)!);

    private static string Ask(EndPoint endpoint, string request)
    {
        using var client = new Socket(endpoint.AddressFamily, SocketType.Stream, endpoint is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
        client.ReceiveTimeout = 5000;
        client.Connect(endpoint);
        client.Send(Encoding.ASCII.GetBytes(request));
        var answer = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = client.Receive(buffer)) > 0) answer.Write(buffer, 0, n);
        return Encoding.UTF8.GetString(answer.ToArray());
    }

    private static IPEndPoint Loopback(MetricsServer server) => new(IPAddress.Loopback, server.Port);

    [Fact]
    public void GetMetricsAnswersTheExpositionText()
    {
        using var server = Start();
        string answer = Ask(Loopback(server), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n", answer, StringComparison.Ordinal);
        string body = answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.Contains("net_sentinel_test_value 42\n", body, StringComparison.Ordinal);
        Assert.Contains($"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("net_sentinel_metrics_scrapes_total 1\n", Ask(Loopback(server), "GET /metrics?x=1 HTTP/1.0\r\n\r\n"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 404 ")]
    [InlineData("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 405 ")]
    [InlineData("GET /metrics\r\n\r\n", "HTTP/1.1 400 ")]
    [InlineData("\r\n\r\n", "HTTP/1.1 400 ")]
    public void OtherRequestsGetAnError(string request, string status)
    {
        using var server = Start();
        Assert.StartsWith(status, Ask(Loopback(server), request), StringComparison.Ordinal);
    }

    [Fact]
    public void AnOversizedRequestIsRefusedWithoutReadingItAll()
    {
        using var server = Start();
        string request = "GET /metrics HTTP/1.1\r\nX-Junk: " + new string('a', MetricsServer.MaxRequestBytes * 4);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(Loopback(server));
        client.ReceiveTimeout = 5000;
        try
        {
            client.Send(Encoding.ASCII.GetBytes(request));
        }
        catch (SocketException)
        {
            // the server may close before taking it all: the point
        }
        // The server answers 400 and closes with the rest unread, so the kernel may reset the connection before the answer is read.
        var buffer = new byte[1024];
        try
        {
            int n = client.Receive(buffer);
            Assert.StartsWith("HTTP/1.1 400 ", Encoding.ASCII.GetString(buffer, 0, n), StringComparison.Ordinal);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
        Assert.StartsWith("HTTP/1.1 200 OK", Ask(Loopback(server), "GET /metrics HTTP/1.1\r\n\r\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void ASlowClientHoldsOtherScrapesBackAtMostTheClientTimeout()
    {
        using var server = Start();
        using var slow = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        slow.Connect(Loopback(server));
        slow.Send("GET /met"u8.ToArray()); // and nothing more, ever
        var waited = Stopwatch.StartNew();
        string answer = Ask(Loopback(server), "GET /metrics HTTP/1.1\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK", answer, StringComparison.Ordinal);
        Assert.True(waited.Elapsed < MetricsServer.ClientTimeout + TimeSpan.FromSeconds(2), $"a scrape waited {waited.Elapsed} behind a slow client");
    }

    [Fact]
    public void ServesOnAUnixSocketAndRemovesItWhenStopped()
    {
        string path = Path.Combine(_dir, "metrics.sock");
        using (var server = Start(path))
        {
            Assert.Contains("net_sentinel_test_value 42", Ask(new UnixDomainSocketEndPoint(path), "GET /metrics HTTP/1.1\r\n\r\n"), StringComparison.Ordinal);
        }
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void AnAddressInUseIsASocketError()
    {
        using var first = Start();
        Assert.Throws<SocketException>(() => Start($"127.0.0.1:{first.Port}"));
    }

    [Fact]
    public void StoppingDoesNotWaitForAClient()
    {
        var server = Start();
        var stopping = Stopwatch.StartNew();
        server.Dispose();
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(2), $"stopping took {stopping.Elapsed}");
    }
}
