using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NetSentinel.Tests.Shared;

/// <summary>
/// A test host of our own: a network namespace joined to this one by a veth pair, addressed from the
/// documentation ranges (198.51.100.0/24, 2001:db8::/64). Servers "on" that host are sockets created
/// by a thread that has joined the namespace, so tests need no external binaries.
/// Dispose removes the namespace (and with it the veth pair), even when the test failed.
/// Needs root.
/// </summary>
public sealed partial class TestNetwork : IDisposable
{
    private static int s_counter;
    /// <summary>Slots 0..59 are /30s of 198.51.100.0/24 below .240 (the benchmarks use .241 and up).</summary>
    private const int SlotCount = 60;
    private const string SlotLockDirectory = "/run/netsentinel-test-slots";
    private readonly string _hostVeth;
    private readonly FileStream? _slotLock;

    public string Namespace { get; }
    /// <summary>This host's address on the link.</summary>
    public IPAddress HostV4 { get; }
    /// <summary>The test host's address.</summary>
    public IPAddress PeerV4 { get; }
    public IPAddress HostV6 { get; }
    public IPAddress PeerV6 { get; }


    public TestNetwork()
    {
        int n = Interlocked.Increment(ref s_counter);
        int id = Environment.ProcessId % 10000;
        Namespace = $"nst{id}x{n}";
        _hostVeth = $"nsh{id}x{n}";
        string peerVeth = $"nsp{id}x{n}";
        // Each instance gets its own /30 and /126, so several can exist at once: in one test run and
        // across test runs of several worktrees on one machine (an exclusive lock file per slot).
        (_slotLock, int slot) = TakeSlot(id + n);
        HostV4 = IPAddress.Parse($"198.51.100.{(slot * 4) + 1}");
        PeerV4 = IPAddress.Parse($"198.51.100.{(slot * 4) + 2}");
        HostV6 = IPAddress.Parse($"2001:db8::{slot:x}:1");
        PeerV6 = IPAddress.Parse($"2001:db8::{slot:x}:2");
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
                if (SetNs(target.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
                    throw new InvalidOperationException($"setns into {Namespace} failed: errno {Marshal.GetLastPInvokeError()}");
                try { result = create(); }
                finally { SetNs(self.DangerousGetHandle().ToInt32(), CloneNewNet); }
            }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new InvalidOperationException("in-namespace setup failed", failure);
        return result;
    }

    /// <summary>A TCP listener on the test host.</summary>
    public Socket ListenTcp(IPAddress address, int port = 0, int backlog = 1024) => InNamespace(() =>
    {
        var s = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(address, port));
        s.Listen(backlog);
        return s;
    });

    /// <summary>A UDP socket bound on the test host.</summary>
    public Socket BindUdp(IPAddress address, int port = 0) => InNamespace(() =>
    {
        var s = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(address, port));
        return s;
    });

    public void Dispose()
    {
        // Deleting the namespace deletes the peer end, and a veth pair dies with either end.
        RunQuiet("ip", $"netns delete {Namespace}");
        RunQuiet("ip", $"link delete {_hostVeth}");
        _slotLock?.Dispose();
    }

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
                // taken by another test network, here or in another process
            }
        }
        throw new InvalidOperationException($"all {SlotCount} test network slots are in use ({SlotLockDirectory})");
    }

    private static bool AddressInUse(string address) =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Any(i => i.GetIPProperties().UnicastAddresses.Any(a => a.Address.ToString() == address));

    private static void Ip(string args)
    {
        var (code, output) = Run("ip", args);
        if (code != 0) throw new InvalidOperationException($"ip {args} failed ({code}): {output}");
    }

    private static void RunQuiet(string file, string args) => Run(file, args);

    public static (int ExitCode, string Output) Run(string file, string args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output.Trim());
    }

    private const int CloneNewNet = 0x40000000;

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
