using System.Net;
using System.Net.Sockets;

namespace NetSentinel.Cli.SelfTest;

/// <summary>
/// The body of one scenario program (<c>&lt;scenario name&gt; selftest-scenario ACTION key=value...</c>): it does what its
/// <see cref="ScenarioPlan"/> says on the wire and exits — 0 when it did it, 3 with one line on stderr when it could not
/// (a server that never answered, a timeout). The self-test runs each scenario as such a program under its own name.
/// </summary>
public static class ScenarioRunner
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    public static int Run(ScenarioPlan plan, TextWriter stdout, TextWriter stderr)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(plan.TimeoutSeconds));
        try
        {
            var work = plan.Action switch
            {
                ScenarioAction.Sweep => Sweep(plan, timeout.Token),
                ScenarioAction.Fetch => Fetch(plan, timeout.Token),
                ScenarioAction.Udp => Udp(plan, timeout.Token),
                _ => Serve(plan, stdout, timeout.Token),
            };
            string done = work.GetAwaiter().GetResult();
            stdout.WriteLine(done);
            return ExitCodes.Ok;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine($"scenario: did not finish within {plan.TimeoutSeconds} s");
            return ExitCodes.RuntimeError;
        }
        catch (SocketException e)
        {
            stderr.WriteLine($"scenario: {e.SocketErrorCode}: {e.Message}");
            return ExitCodes.RuntimeError;
        }
    }

    /// <summary>Sweeps probe this many targets at once, as scanners do.</summary>
    public const int SweepParallelism = 16;

    /// <summary>One connect per target, closed at once, <see cref="SweepParallelism"/> at a time; refusals are the point of a sweep.</summary>
    private static async Task<string> Sweep(ScenarioPlan plan, CancellationToken cancel)
    {
        int refused = 0, answered = 0;
        await Parallel.ForEachAsync(plan.Targets, new ParallelOptions { MaxDegreeOfParallelism = SweepParallelism, CancellationToken = cancel },
            async (target, token) =>
            {
                using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
                attempt.CancelAfter(ConnectTimeout);
                try
                {
                    await socket.ConnectAsync(target, attempt.Token);
                    Interlocked.Increment(ref answered);
                }
                catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !token.IsCancellationRequested))
                {
                    Interlocked.Increment(ref refused);
                }
            });
        return $"swept {plan.Targets.Count} targets: {answered} answered, {refused} refused or silent";
    }

    /// <summary>Exchanges started on the plan's rhythm (they may overlap: a page fetching from many hosts at once).</summary>
    private static async Task<string> Fetch(ScenarioPlan plan, CancellationToken cancel)
    {
        var gaps = plan.Gaps();
        var exchanges = new List<Task<long>>(plan.Count);
        for (int i = 0; i < plan.Count; i++)
        {
            exchanges.Add(Exchange(plan.Targets[i % plan.Targets.Count], plan, cancel));
            if (i < gaps.Count)
            {
                await Task.Delay(gaps[i], cancel);
            }
        }
        long received = (await Task.WhenAll(exchanges)).Sum();
        return $"{plan.Count} exchanges with {plan.Targets.Count} hosts: {(long)plan.Count * plan.UploadBytes} bytes sent, {received} received";
    }

    private static async Task<long> Exchange(IPEndPoint target, ScenarioPlan plan, CancellationToken cancel)
    {
        using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(target, cancel);
        await ScenarioWire.SendRequest(socket, plan.DownloadBytes, cancel);
        await ScenarioWire.SendBytes(socket, plan.UploadBytes, plan.RateBytesPerSecond, cancel);
        socket.Shutdown(SocketShutdown.Send);
        return await ScenarioWire.Drain(socket, cancel);
    }

    /// <summary>One socket, one target, a datagram per tick; a reply is read when one comes (NTP) and not waited for.</summary>
    private static async Task<string> Udp(ScenarioPlan plan, CancellationToken cancel)
    {
        var target = plan.Targets[0];
        using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(target, cancel);
        var gaps = plan.Gaps();
        var datagram = new byte[Math.Max(plan.UploadBytes, ScenarioWire.UdpReplyBytes)];
        var reply = new byte[2048];
        int replies = 0;
        for (int i = 0; i < plan.Count; i++)
        {
            await socket.SendAsync(datagram, SocketFlags.None, cancel);
            var next = Task.Delay(i < gaps.Count ? gaps[i] : TimeSpan.Zero, cancel);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            wait.CancelAfter(TimeSpan.FromMilliseconds(300));
            try
            {
                await socket.ReceiveAsync(reply, SocketFlags.None, wait.Token);
                replies++;
            }
            catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancel.IsCancellationRequested))
            {
                // no answer this time: a beacon does not need one
            }
            await next;
        }
        return $"{plan.Count} datagrams to {target}, {replies} answered";
    }

    /// <summary>Answers every datagram with a reply until <see cref="ScenarioPlan.Count"/> clients were answered; says "ready" once bound.</summary>
    private static async Task<string> Serve(ScenarioPlan plan, TextWriter stdout, CancellationToken cancel)
    {
        var local = plan.Targets[0];
        using var socket = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(local);
        stdout.WriteLine("ready");
        stdout.Flush();
        var buffer = new byte[2048];
        var reply = new byte[ScenarioWire.UdpReplyBytes];
        var clients = new HashSet<EndPoint>();
        int answered = 0;
        while (clients.Count < plan.Count) // clients, not datagrams: a client asking twice must not end it early
        {
            var from = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(local.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0), cancel);
            await socket.SendToAsync(reply, SocketFlags.None, from.RemoteEndPoint, cancel);
            clients.Add(from.RemoteEndPoint);
            answered++;
        }
        return $"answered {answered} datagrams from {clients.Count} clients";
    }
}
