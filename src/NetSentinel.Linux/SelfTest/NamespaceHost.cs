using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using NetSentinel.Core.Native;

namespace NetSentinel.Linux.SelfTest;

/// <summary>
/// A test host of our own: a network namespace joined to this one by a veth pair, addressed from the
/// documentation ranges (198.51.100.0/24, 2001:db8::/64), optionally answering for a whole block of
/// 198.18.0.0/15 as well (<see cref="AnswerFor"/>). Servers "on" that host are sockets created by a thread that
/// has joined the namespace (<see cref="InNamespace{T}"/>), so it needs no external binaries beyond `ip`.
/// The one definition of a namespace test host: the self-test (`net-sentinel selftest`) and the test suites'
/// TestNetwork both use it. Dispose removes the namespace (and with it the veth pair and its routes), even after
/// a failure. Needs root.
/// </summary>
public sealed class NamespaceHost : IDisposable
{
    /// <summary>Slots 0..59 are /30s of 198.51.100.0/24 below .240 (the benchmarks use .241 and up).</summary>
    public const int SlotCount = 60;
    private const string SlotLockDirectory = "/run/netsentinel-test-slots";
    private static int s_counter;
    private readonly string _hostVeth;
    private readonly FileStream? _slotLock;

    /// <param name="prefix">Starts the namespace and interface names ("ns" for the tests, "nss" for the self-test), so
    /// whose they are is visible in `ip netns` and a leftover can be traced.</param>
    public NamespaceHost(string prefix = "ns")
    {
        int n = Interlocked.Increment(ref s_counter);
        int id = Environment.ProcessId % 10000;
        Namespace = $"{prefix}t{id}x{n}";
        _hostVeth = $"{prefix}h{id}x{n}";
        string peerVeth = $"{prefix}p{id}x{n}";
        // Each instance gets its own /30 and /126, so several can exist at once: in one run and across runs of
        // several worktrees on one machine (an exclusive lock file per slot).
        (_slotLock, Slot) = TakeSlot(id + n);
        HostV4 = IPAddress.Parse($"198.51.100.{(Slot * 4) + 1}");
        PeerV4 = IPAddress.Parse($"198.51.100.{(Slot * 4) + 2}");
        HostV6 = IPAddress.Parse($"2001:db8::{Slot:x}:1");
        PeerV6 = IPAddress.Parse($"2001:db8::{Slot:x}:2");
        try
        {
            Ip($"netns add {Namespace}");
            Ip($"link add {_hostVeth} type veth peer name {peerVeth}");
            Ip($"link set {peerVeth} netns {Namespace}");
            Ip($"addr add {HostV4}/30 dev {_hostVeth}");
            Ip($"-6 addr add {HostV6}/126 dev {_hostVeth} nodad");
            Ip($"link set {_hostVeth} up");
            Ip($"-n {Namespace} addr add {PeerV4}/30 dev {peerVeth}");
            Ip($"-n {Namespace} -6 addr add {PeerV6}/126 dev {peerVeth} nodad");
            Ip($"-n {Namespace} link set {peerVeth} up");
            Ip($"-n {Namespace} link set lo up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The address slot this host holds (0..<see cref="SlotCount"/>-1): derive further private blocks from it.</summary>
    public int Slot { get; }
    public string Namespace { get; }
    /// <summary>This host's address on the link.</summary>
    public IPAddress HostV4 { get; }
    /// <summary>The test host's address.</summary>
    public IPAddress PeerV4 { get; }
    public IPAddress HostV6 { get; }
    public IPAddress PeerV6 { get; }

    /// <summary>
    /// Makes the test host answer for every address of <paramref name="block"/> (e.g. "198.19.8.0/22"): routed to it
    /// from here, and local there (a "local" route: listeners on the any-address accept, closed ports reset at once).
    /// The routes go with the veth and the namespace.
    /// </summary>
    public void AnswerFor(string block)
    {
        Ip($"route add {block} via {PeerV4} dev {_hostVeth}");
        Ip($"-n {Namespace} route add local {block} dev lo");
    }

    /// <summary>Runs <paramref name="create"/> on a thread that has joined the namespace; the socket it makes lives there.</summary>
    public T InNamespace<T>(Func<T> create)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var self = File.OpenHandle("/proc/thread-self/ns/net");
                using var target = File.OpenHandle($"/run/netns/{Namespace}");
                if (LibC.SetNs((int)target.DangerousGetHandle(), LibC.CLONE_NEWNET) != 0)
                {
                    throw new InvalidOperationException($"setns into {Namespace} failed: errno {Marshal.GetLastPInvokeError()}");
                }
                try
                {
                    result = create();
                }
                finally
                {
                    LibC.SetNs((int)self.DangerousGetHandle(), LibC.CLONE_NEWNET);
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException("in-namespace setup failed", failure);
        }
        return result;
    }

    /// <summary>A TCP listener on the test host.</summary>
    public Socket ListenTcp(IPAddress address, int port = 0, int backlog = 1024) => InNamespace(() =>
    {
        var s = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (address.Equals(IPAddress.IPv6Any))
        {
            s.DualMode = true; // one listener for both families
        }
        s.Bind(new IPEndPoint(address, port));
        s.Listen(backlog);
        return s;
    });

    /// <summary>A UDP socket bound on the test host.</summary>
    public Socket BindUdp(IPAddress address, int port = 0) => InNamespace(() =>
    {
        var s = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (address.Equals(IPAddress.IPv6Any))
        {
            s.DualMode = true;
        }
        s.Bind(new IPEndPoint(address, port));
        return s;
    });

    public void Dispose()
    {
        // Deleting the namespace deletes the peer end, and a veth pair dies with either end.
        Run("ip", $"netns delete {Namespace}");
        Run("ip", $"link delete {_hostVeth}");
        _slotLock?.Dispose();
    }

    /// <summary>Whether an interface of this namespace already has the address.</summary>
    private static bool AddressInUse(string address) =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Any(i => i.GetIPProperties().UnicastAddresses.Any(a => a.Address.ToString() == address));

    /// <summary>
    /// The first free address slot, held by an exclusive lock on its file until Dispose (.NET takes
    /// FileShare.None as a flock, which the kernel drops if this process dies).
    /// </summary>
    private static (FileStream Lock, int Slot) TakeSlot(int start)
    {
        Directory.CreateDirectory(SlotLockDirectory);
        for (int i = 0; i < SlotCount; i++)
        {
            int slot = (start + i) % SlotCount;
            try
            {
                var lockFile = new FileStream(Path.Combine(SlotLockDirectory, $"slot{slot}"), FileMode.OpenOrCreate,
                                              FileAccess.ReadWrite, FileShare.None);
                if (!AddressInUse($"198.51.100.{(slot * 4) + 1}")) return (lockFile, slot);
                lockFile.Dispose(); // used by something that does not take these locks (a hand-made namespace): two routes to one /30 break both
            }
            catch (IOException)
            {
                // taken by another test host, here or in another process
            }
        }
        throw new InvalidOperationException($"all {SlotCount} namespace test host slots are in use ({SlotLockDirectory})");
    }

    private static void Ip(string args)
    {
        var (code, output) = Run("ip", args);
        if (code != 0)
        {
            throw new InvalidOperationException($"ip {args} failed ({code}): {output}");
        }
    }

    /// <summary>Runs a program to completion; its exit code and its output (stdout then stderr), trimmed.</summary>
    public static (int ExitCode, string Output) Run(string file, string args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd() + stderr.Result;
        p.WaitForExit();
        return (p.ExitCode, output.Trim());
    }
}
