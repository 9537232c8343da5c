using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetSentinel.Tests.Shared;

namespace NetSentinel.Cli.Tests;

/// <summary>
/// A namespace test host running a real DNS server (Debian's dnsmasq) that answers for names under <c>.test</c>
/// from a hosts file the test writes, plus service addresses from 198.18.0.0/15 on the same host (routed from
/// here through its veth) and one TCP listener that accepts on all of them. Dispose stops dnsmasq and removes
/// the namespace. Needs root.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DnsTestHost : IDisposable
{
    private readonly List<Process> _servers = [];
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();

    public DnsTestHost(string directory)
    {
        Directory = directory;
        Network = new TestNetwork();
        try
        {
            // 198.18.<the peer's last octet>.0/24: derived from the slot, so no other test network has it.
            int octet = Network.PeerV4.GetAddressBytes()[3];
            ServicePrefix = $"198.18.{octet}";
            for (int i = 1; i <= 8; i++)
                Ip($"-n {Network.Namespace} addr add {ServiceAddress(i)}/32 dev lo");
            Ip($"route add {ServicePrefix}.0/24 via {Network.PeerV4}");
            _listener = Network.ListenTcp(IPAddress.Any);
            Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
            _ = Task.Run(Accept);
            HostsFile = Path.Combine(directory, "dns-hosts");
            File.WriteAllText(HostsFile, "");
            ServerPid = StartDnsmasq($"--listen-address={Network.PeerV4} --addn-hosts={HostsFile} --local=/test/");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public TestNetwork Network { get; }
    public string Directory { get; }
    public string ServicePrefix { get; }
    /// <summary>The port the test host's TCP listener accepts on, at every service address.</summary>
    public int Port { get; }
    public string HostsFile { get; }
    public int ServerPid { get; }

    public IPAddress ServiceAddress(int i) => IPAddress.Parse($"{ServicePrefix}.{i}");

    /// <summary>Sets what the server answers (name → address) and makes it reload.</summary>
    public void SetNames(params (string Name, IPAddress Address)[] names)
    {
        File.WriteAllLines(HostsFile, names.Select(n => $"{n.Address} {n.Name}"));
        TestNetwork.Run("kill", $"-HUP {ServerPid}");
        Thread.Sleep(200);
    }

    /// <summary>A second dnsmasq on the test host's 127.0.0.53, forwarding to the first: a local stub resolver.</summary>
    public int StartStub() => StartDnsmasq($"--listen-address=127.0.0.53 --server={Network.PeerV4}");

    /// <summary>A resolv.conf naming <paramref name="server"/>, for a process's private mount namespace.</summary>
    public string ResolvConf(string server)
    {
        string path = Path.Combine(Directory, $"resolv-{server}.conf");
        File.WriteAllText(path, $"nameserver {server}\noptions attempts:2 timeout:2\n");
        return path;
    }

    private int StartDnsmasq(string options)
    {
        // --user=root: the hosts file is in a private temp directory; -k: stay in the foreground, so we own the process.
        var psi = new ProcessStartInfo("ip",
            $"netns exec {Network.Namespace} dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces " +
            $"--port=53 --user=root --pid-file={Path.Combine(Directory, $"dnsmasq-{_servers.Count}.pid")} --local-ttl=1 --cache-size=0 {options}")
        { RedirectStandardError = true, RedirectStandardOutput = true };
        var process = Process.Start(psi)!;
        _servers.Add(process);
        Thread.Sleep(300);
        if (process.HasExited)
            throw new InvalidOperationException($"dnsmasq did not start: {process.StandardError.ReadToEnd()}");
        return process.Id; // ip netns exec execs dnsmasq: same pid
    }

    private void Accept()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using Socket client = _listener.Accept();
                client.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    private static void Ip(string args)
    {
        var (code, output) = TestNetwork.Run("ip", args);
        if (code != 0) throw new InvalidOperationException($"ip {args} failed ({code}): {output}");
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (Process server in _servers)
        {
            try { server.Kill(); server.WaitForExit(5_000); } catch (InvalidOperationException) { }
            server.Dispose();
        }
        _listener?.Dispose();
        Network.Dispose(); // the route goes with the veth
    }
}
