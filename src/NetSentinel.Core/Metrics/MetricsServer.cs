using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace NetSentinel.Core.Metrics;

/// <summary>
/// The Prometheus endpoint: a small HTTP/1.1 responder on a socket of its own thread, no web framework
/// (nothing the NativeAOT binary would carry only for this). <c>GET /metrics</c> gets the exposition
/// text; anything else a 404 or 405. One request per connection, handled one at a time: a client gets
/// <see cref="ClientTimeout"/> in all to send its request (at most <see cref="MaxRequestBytes"/>) and take
/// the answer, so a slow or hostile client delays other scrapes by at most that, and costs no memory.
/// The monitor's thread is never involved: values are read from counters (see <see cref="MonitorMetrics"/>).
/// </summary>
public sealed class MetricsServer : IDisposable
{
    public const int MaxRequestBytes = 8 * 1024;
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(2);

    private readonly MetricsRegistry _registry;
    private readonly Socket _listener;
    private readonly Thread _thread;
    private readonly string? _socketPath;
    private long _scrapes;
    private volatile bool _stopping;

    /// <exception cref="SocketException">The address is in use or cannot be bound.</exception>
    public MetricsServer(MetricsRegistry registry, MetricsEndpoint endpoint)
    {
        _registry = registry;
        Endpoint = endpoint;
        if (endpoint.EndPoint is UnixDomainSocketEndPoint unix)
        {
            _socketPath = unix.ToString();
            // A socket left by an earlier run would make bind fail; only a socket is removed, never a file.
            if (Output.Files.FileStatus.TryOfPath(_socketPath, out var status, out _) && status.IsSocket)
            {
                File.Delete(_socketPath);
            }
            _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        }
        else
        {
            _listener = new Socket(endpoint.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        }
        try
        {
            _listener.Bind(endpoint.EndPoint);
            _listener.Listen(16);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
        registry.Counter("net_sentinel_metrics_scrapes_total", "Requests for /metrics answered.", () => Interlocked.Read(ref _scrapes));
        _thread = new Thread(Serve) { IsBackground = true, Name = "net-sentinel metrics" };
        _thread.Start();
    }

    public MetricsEndpoint Endpoint { get; }

    /// <summary>The TCP port actually bound (useful when the configuration said port 0 in tests); 0 for a Unix socket.</summary>
    public int Port => _listener.LocalEndPoint is System.Net.IPEndPoint ip ? ip.Port : 0;

    public void Dispose()
    {
        _stopping = true;
        _listener.Dispose(); // unblocks Accept
        _thread.Join(TimeSpan.FromSeconds(5));
        if (_socketPath is not null)
        {
            try { File.Delete(_socketPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private void Serve()
    {
        while (!_stopping)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (SocketException) { if (_stopping) return; continue; }
            catch (ObjectDisposedException) { return; }
            using (client)
            {
                try
                {
                    client.SendTimeout = (int)ClientTimeout.TotalMilliseconds;
                    Answer(client, Stopwatch.GetTimestamp() + (long)(ClientTimeout.TotalSeconds * Stopwatch.Frequency));
                }
                catch (SocketException) { } // the client went away or was too slow: its problem
                catch (IOException) { }
            }
        }
    }

    private void Answer(Socket client, long deadline)
    {
        string? requestLine = ReadRequestLine(client, deadline);
        if (requestLine is null)
        {
            Send(client, "400 Bad Request", "text/plain; charset=utf-8", "bad request\n", includeBody: true);
            return;
        }
        string[] parts = requestLine.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            Send(client, "400 Bad Request", "text/plain; charset=utf-8", "bad request\n", includeBody: true);
            return;
        }
        bool head = parts[0] == "HEAD";
        if (parts[0] != "GET" && !head)
        {
            Send(client, "405 Method Not Allowed", "text/plain; charset=utf-8", "only GET\n", includeBody: true, extraHeaders: "Allow: GET, HEAD\r\n");
            return;
        }
        string path = parts[1];
        int query = path.IndexOf('?');
        if (query >= 0) path = path[..query];
        if (path != "/metrics")
        {
            Send(client, "404 Not Found", "text/plain; charset=utf-8", "net-sentinel serves /metrics\n", includeBody: !head);
            return;
        }
        string body = _registry.Write();
        Interlocked.Increment(ref _scrapes);
        Send(client, "200 OK", "text/plain; version=0.0.4; charset=utf-8", body, includeBody: !head);
    }

    /// <summary>Reads until the end of the headers (bounded in bytes and time) and returns the first line; null if malformed, too long or too slow.</summary>
    private static string? ReadRequestLine(Socket client, long deadline)
    {
        var buffer = new byte[MaxRequestBytes];
        int length = 0;
        while (length < buffer.Length)
        {
            long remaining = deadline - Stopwatch.GetTimestamp();
            if (remaining <= 0 || !client.Poll((int)Math.Min(int.MaxValue, remaining * 1_000_000 / Stopwatch.Frequency), SelectMode.SelectRead)) return null;
            int n = client.Receive(buffer, length, buffer.Length - length, SocketFlags.None);
            if (n == 0) return null; // closed before the headers ended
            length += n;
            var received = buffer.AsSpan(0, length);
            if (received.IndexOf("\r\n\r\n"u8) >= 0 || received.IndexOf("\n\n"u8) >= 0)
            {
                int end = received.IndexOf((byte)'\n');
                return end <= 0 ? null : Encoding.ASCII.GetString(buffer, 0, end).TrimEnd('\r');
            }
        }
        return null; // headers longer than MaxRequestBytes
    }

    private static void Send(Socket client, string status, string contentType, string body, bool includeBody, string extraHeaders = "")
    {
        byte[] content = Encoding.UTF8.GetBytes(body);
        string head = $"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {content.Length}\r\nConnection: close\r\n{extraHeaders}\r\n";
        client.Send(Encoding.ASCII.GetBytes(head));
        if (includeBody) client.Send(content);
        client.Shutdown(SocketShutdown.Send);
    }
}
