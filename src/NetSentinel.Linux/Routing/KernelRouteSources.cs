using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using NetSentinel.Core.Native;

namespace NetSentinel.Linux.Routing;

/// <summary>
/// The source address the kernel picks for an unbound UDP socket's datagrams, asked of the routing table of the
/// socket's own network namespace (<see cref="RouteSourceQuery"/>: RTM_GETROUTE, as `ip route get`). The monitor's own
/// namespace is asked through a socket opened at start; another namespace through a socket opened inside it (a
/// short-lived thread joins it with setns through /proc/ID/ns/net of the thread that sent, or its process, checked to be that
/// namespace, makes the socket and ends), kept while used. Answers are cached per (namespace, destination, device,
/// mark, uid) for <see cref="TimeToLive"/>; at most <see cref="LookupsPerSecond"/> questions and
/// <see cref="NamespaceEntriesPerSecond"/> namespace entries a second are made, past that the answer is null (no
/// source rather than a late or a guessed one): the drain thread is held at most ~50 ms a second. Single-threaded.
/// </summary>
public sealed class KernelRouteSources : IRouteSourceResolver, IDisposable
{
    /// <summary>How long an answer is believed: a route or address change shows within this.</summary>
    public static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(10);

    /// <summary>Uncached questions a second at most (each ~5 µs).</summary>
    public const int LookupsPerSecond = 1000;

    /// <summary>Namespaces entered a second at most (each ~4.5 ms: a thread, two setns, a socket).</summary>
    public const int NamespaceEntriesPerSecond = 10;

    private const int MaxCached = 4096;
    private const int MaxNamespaces = 64;
    private static readonly long TimeToLiveTicks = (long)(TimeToLive.TotalSeconds * Stopwatch.Frequency);
    private static readonly long IdleNamespaceTicks = 6 * TimeToLiveTicks;

    private readonly ulong _ownNamespace;
    private readonly Dictionary<RouteKey, CachedSource> _cache = [];
    private readonly Dictionary<ulong, NamespaceSocket> _sockets = [];
    private uint _sequence;
    private long _windowStart;
    private int _windowLookups;
    private int _windowEntries;
    private bool _disposed;

    /// <param name="ownNamespace">The monitor's network namespace; by default read from /proc/self/ns/net.</param>
    public KernelRouteSources(ulong? ownNamespace = null)
    {
        _ownNamespace = ownNamespace ?? NamespaceOfLink("/proc/self/ns/net") ?? 0;
        int fd = RouteSourceQuery.Open();
        if (_ownNamespace != 0 && fd >= 0) _sockets[_ownNamespace] = new NamespaceSocket(fd, long.MaxValue);
        else if (fd >= 0) LibC.Close(fd);
    }

    /// <summary>Questions asked of the kernel (not answered from the cache, nor refused for want of a way into the namespace).</summary>
    public long Lookups { get; private set; }

    /// <summary>Questions not asked because the second's budget was spent.</summary>
    public long OverBudget { get; private set; }

    public IPAddress? SourceFor(ulong networkNamespace, uint tid, uint tgid, in RouteQuery query)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (networkNamespace == 0 || !Routable(query)) return null;
        var key = new RouteKey(networkNamespace, query.Destination, query.BoundDevice, query.Mark, query.Uid);
        long now = Stopwatch.GetTimestamp();
        if (_cache.TryGetValue(key, out CachedSource cached) && now - cached.At < TimeToLiveTicks) return cached.Source;
        if (!TakeBudget(now))
        {
            OverBudget++;
            return null;
        }

        int fd = SocketIn(networkNamespace, tid, tgid, now);
        if (fd < 0) return null; // not entered (gone, moved, or over the entry budget): a later flow may be luckier
        Lookups++;
        IPAddress? source = RouteSourceQuery.Ask(fd, query, ++_sequence);
        if (_cache.Count >= MaxCached) _cache.Clear();
        _cache[key] = new CachedSource(source, now);
        return source;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (NamespaceSocket socket in _sockets.Values) LibC.Close(socket.Fd);
        _sockets.Clear();
    }

    /// <summary>
    /// Destinations whose source the routing table alone decides. A multicast datagram's source follows the socket's
    /// IP_MULTICAST_IF, and an IPv6 link-local destination needs the scope id given to sendto: neither is known here.
    /// </summary>
    private static bool Routable(in RouteQuery query)
    {
        IPAddress destination = query.Destination;
        if (destination.AddressFamily == AddressFamily.InterNetworkV6)
            return !destination.IsIPv6Multicast && (!destination.IsIPv6LinkLocal || query.BoundDevice != 0) && !destination.Equals(IPAddress.IPv6Any);
        Span<byte> bytes = stackalloc byte[4];
        destination.TryWriteBytes(bytes, out _);
        return bytes[0] is not (>= 224 and <= 239) && !destination.Equals(IPAddress.Any);
    }

    private bool TakeBudget(long now)
    {
        if (now - _windowStart >= Stopwatch.Frequency)
        {
            _windowStart = now;
            _windowLookups = 0;
            _windowEntries = 0;
        }

        return ++_windowLookups <= LookupsPerSecond;
    }

    /// <summary>A routing socket in the namespace, opened on first use; -1 when the namespace cannot be entered.</summary>
    private int SocketIn(ulong networkNamespace, uint tid, uint tgid, long now)
    {
        if (_sockets.TryGetValue(networkNamespace, out NamespaceSocket socket))
        {
            if (socket.LastUsed != long.MaxValue) _sockets[networkNamespace] = socket with { LastUsed = now };
            return socket.Fd;
        }

        int fd = OpenIn(networkNamespace, tid);
        if (fd < 0 && tgid != tid) fd = OpenIn(networkNamespace, tgid);
        if (fd >= 0)
        {
            CloseIdle(now);
            _sockets[networkNamespace] = new NamespaceSocket(fd, now);
        }

        return fd;
    }

    /// <summary>A socket pins its namespace (a container's stays alive while it is open): close those unused for a minute, and the oldest when too many.</summary>
    private void CloseIdle(long now)
    {
        foreach (var (ns, socket) in _sockets.ToArray())
        {
            if (socket.LastUsed != long.MaxValue && now - socket.LastUsed > IdleNamespaceTicks && _sockets.Remove(ns)) LibC.Close(socket.Fd);
        }

        if (_sockets.Count >= MaxNamespaces)
        {
            var (ns, oldest) = _sockets.Where(s => s.Value.LastUsed != long.MaxValue).MinBy(s => s.Value.LastUsed);
            if (_sockets.Remove(ns)) LibC.Close(oldest.Fd);
        }
    }

    /// <summary>
    /// Opens a routing socket inside the namespace the task <paramref name="id"/> (a thread or a process) is in, if that
    /// is still <paramref name="networkNamespace"/> (else it moved or its id is another's now: -1). The thread that
    /// joins the namespace ends after, so the monitor's threads never leave their own.
    /// </summary>
    private int OpenIn(ulong networkNamespace, uint id)
    {
        int namespaceFd = LibC.Open($"/proc/{id}/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (namespaceFd < 0) return -1;
        try
        {
            if (InodeOf(namespaceFd) != networkNamespace) return -1;
            if (++_windowEntries > NamespaceEntriesPerSecond)
            {
                OverBudget++;
                return -1;
            }

            int fd = -1;
            var thread = new Thread(() => fd = OpenInside(namespaceFd), maxStackSize: 256 * 1024) { IsBackground = true, Name = "netns-route" };
            thread.Start();
            thread.Join();
            return fd;
        }
        finally
        {
            LibC.Close(namespaceFd);
        }
    }

    private static int OpenInside(int namespaceFd)
    {
        int home = LibC.Open("/proc/thread-self/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (home < 0) return -1;
        try
        {
            if (LibC.SetNs(namespaceFd, LibC.CLONE_NEWNET) != 0) return -1;
            int fd = RouteSourceQuery.Open();
            LibC.SetNs(home, LibC.CLONE_NEWNET); // should it fail, this thread ends here anyway
            return fd;
        }
        finally
        {
            LibC.Close(home);
        }
    }

    private static unsafe ulong InodeOf(int fd)
    {
        const int AtEmptyPath = 0x1000;
        const uint StatxIno = 0x100;
        byte* statx = stackalloc byte[256];
        return LibC.Statx(fd, string.Empty, AtEmptyPath, StatxIno, statx) == 0 ? *(ulong*)(statx + 32) : 0; // stx_ino
    }

    private static unsafe ulong? NamespaceOfLink(string path)
    {
        byte* buffer = stackalloc byte[64];
        nint n = LibC.ReadLink(path, buffer, 64);
        if (n <= 0) return null;
        string link = System.Text.Encoding.ASCII.GetString(buffer, (int)n); // "net:[4026531840]"
        int open = link.IndexOf('[', StringComparison.Ordinal);
        return open >= 0 && link.EndsWith(']') && ulong.TryParse(link.AsSpan(open + 1, link.Length - open - 2), out ulong inode) ? inode : null;
    }

    private readonly record struct RouteKey(ulong Namespace, IPAddress Destination, uint BoundDevice, uint Mark, uint Uid);

    private readonly record struct CachedSource(IPAddress? Source, long At);

    /// <summary>LastUsed long.MaxValue: the monitor's own namespace, never closed.</summary>
    private readonly record struct NamespaceSocket(int Fd, long LastUsed);
}
