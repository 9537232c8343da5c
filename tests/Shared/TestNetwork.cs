using System.Net;
using System.Net.Sockets;
using NetSentinel.Linux.SelfTest;

namespace NetSentinel.Tests.Shared;

/// <summary>
/// A test host of our own for a test: the product's <see cref="NamespaceHost"/> (a network namespace joined to this one
/// by a veth pair, addressed from 198.51.100.0/24 and 2001:db8::/64, a free slot taken under a cross-process lock),
/// named "ns…" so a leftover is recognisably a test's. Dispose removes it, even when the test failed. Needs root.
/// </summary>
public sealed class TestNetwork : IDisposable
{
    private readonly NamespaceHost _host = new("ns");

    public NamespaceHost Host => _host;
    public string Namespace => _host.Namespace;
    /// <summary>This host's address on the link.</summary>
    public IPAddress HostV4 => _host.HostV4;
    /// <summary>The test host's address.</summary>
    public IPAddress PeerV4 => _host.PeerV4;
    public IPAddress HostV6 => _host.HostV6;
    public IPAddress PeerV6 => _host.PeerV6;

    /// <summary>Runs <paramref name="create"/> on a thread that has joined the namespace; the socket it makes lives there.</summary>
    public T InNamespace<T>(Func<T> create) => _host.InNamespace(create);

    /// <summary>A TCP listener on the test host.</summary>
    public Socket ListenTcp(IPAddress address, int port = 0, int backlog = 1024) => _host.ListenTcp(address, port, backlog);

    /// <summary>A UDP socket bound on the test host.</summary>
    public Socket BindUdp(IPAddress address, int port = 0) => _host.BindUdp(address, port);

    public void Dispose() => _host.Dispose();

    public static (int ExitCode, string Output) Run(string file, string args) => NamespaceHost.Run(file, args);
}
