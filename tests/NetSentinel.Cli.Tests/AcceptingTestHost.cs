using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Cli.Tests;

/// <summary>
/// A namespace test host (<see cref="TestNetwork"/>) whose TCP listener accepts and closes every connection, for the
/// live output tests that count the monitor's lines about N connections. Other tests and benchmarks make connect
/// storms on this machine at the same time, so <see cref="OnlyThisHostAllowlist"/> keeps every other destination out
/// of the monitor's lines and <see cref="IsMine"/> picks this host's lines.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class AcceptingTestHost : IDisposable
{
    private readonly TestNetwork _net = new();
    private readonly Socket _listener;

    public AcceptingTestHost()
    {
        _listener = _net.ListenTcp(_net.PeerV4);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        var acceptor = new Thread(() =>
        {
            try { while (true) _listener.Accept().Dispose(); }
            catch (SocketException) { }
            catch (ObjectDisposedException) { }
        })
        { IsBackground = true };
        acceptor.Start();
    }

    public IPAddress Peer => _net.PeerV4;

    public int Port { get; }

    /// <summary>The [allowlist] section (TOML) that leaves only this host to the detectors and the log.</summary>
    public string OnlyThisHostAllowlist => $"[allowlist]\ndestinations = [{string.Join(", ", EverythingBut(Peer).Select(p => $"\"{p}\""))}]\n";

    /// <summary>Opens and closes <paramref name="connections"/> connections to the host, one after another.</summary>
    public void Connect(int connections)
    {
        for (int i = 0; i < connections; i++)
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(Peer, Port);
        }
    }

    /// <summary>The log's lines with <paramref name="action"/> about this host (0 while the log does not exist).</summary>
    public int Count(string log, string action) =>
        File.Exists(log) ? File.ReadLines(log).Count(l => IsMine(JsonDocument.Parse(l).RootElement, action)) : 0;

    /// <summary>Waits up to <paramref name="seconds"/> for <paramref name="expected"/> lines with <paramref name="action"/> about this host.</summary>
    public void WaitForCount(string log, string action, int expected, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (Count(log, action) < expected && DateTime.UtcNow < deadline) Thread.Sleep(200);
    }

    public bool IsMine(JsonElement line, string action) => IsAbout(line, action, Peer, Port);

    /// <summary>A line with <paramref name="action"/> about <paramref name="peer"/>:<paramref name="port"/> (for a host already disposed).</summary>
    public static bool IsAbout(JsonElement line, string action, IPAddress peer, int port) =>
        Action(line) == action && line.TryGetProperty("destination", out var d)
        && d.GetProperty("ip").GetString() == peer.ToString() && d.GetProperty("port").GetInt32() == port;

    public static string Action(JsonElement line) => line.GetProperty("event").GetProperty("action").GetString()!;

    /// <summary>CIDR blocks covering every address except <paramref name="kept"/> (IPv4), plus all of IPv6.</summary>
    private static IEnumerable<string> EverythingBut(IPAddress kept)
    {
        uint address = BinaryPrimitives.ReadUInt32BigEndian(kept.GetAddressBytes());
        for (int bits = 1; bits <= 32; bits++)
        {
            // The block that shares the first bits-1 bits with the kept address and differs in bit number bits.
            uint flipped = address ^ (1u << (32 - bits));
            uint network = bits == 32 ? flipped : flipped & ~(uint.MaxValue >> bits);
            var bytes = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, network);
            yield return $"{new IPAddress(bytes)}/{bits}";
        }
        yield return "::/0";
    }

    public void Dispose()
    {
        _listener.Dispose();
        _net.Dispose();
    }
}
