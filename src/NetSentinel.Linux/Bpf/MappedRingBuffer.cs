using System.Runtime.InteropServices;
using NetSentinel.Core.Native;
using NetSentinel.Linux.Bpf.Native;

namespace NetSentinel.Linux.Bpf;

/// <summary>
/// The event ring buffer map's pages mapped into this process: the consumer page writable, the producer page and the
/// data area read-only — the data once, not twice as libbpf maps it (the kernel inserts every page at mmap time, so the
/// second copy counted the same 4 MiB again in our RSS from the start; <see cref="RingBufferReader"/> copies the rare
/// record that wraps instead) — read by a
/// <see cref="RingBufferReader"/>, plus an epoll instance on the map that says when the kernel woke consumers.
/// </summary>
internal sealed unsafe class MappedRingBuffer : IDisposable
{
    private readonly byte* _consumerPage;
    private readonly byte* _producerPages;
    private readonly nuint _pageSize;
    private readonly nuint _producerLength;
    private readonly int _epoll;

    private MappedRingBuffer(byte* consumerPage, byte* producerPages, nuint pageSize, nuint producerLength, int epoll, long capacity)
    {
        _consumerPage = consumerPage;
        _producerPages = producerPages;
        _pageSize = pageSize;
        _producerLength = producerLength;
        _epoll = epoll;
        Reader = new RingBufferReader((long*)consumerPage, (long*)producerPages, producerPages + pageSize, capacity);
    }

    /// <summary>Maps the ring buffer map <paramref name="mapFd"/> of <paramref name="capacity"/> bytes (its max_entries).</summary>
    public static MappedRingBuffer Open(int mapFd, long capacity)
    {
        var pageSize = (nuint)Environment.SystemPageSize;
        nuint producerLength = pageSize + (nuint)capacity;
        nint consumer = LibC.Mmap(null, pageSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, mapFd, 0);
        if (consumer == LibC.MAP_FAILED) throw LibBpfErrors.Describe("mapping the ring buffer's consumer page", Marshal.GetLastPInvokeError());
        nint producer = LibC.Mmap(null, producerLength, LibC.PROT_READ, LibC.MAP_SHARED, mapFd, (nint)pageSize);
        if (producer == LibC.MAP_FAILED)
        {
            int errno = Marshal.GetLastPInvokeError();
            LibC.Munmap((void*)consumer, pageSize);
            throw LibBpfErrors.Describe("mapping the ring buffer's data", errno);
        }
        int epoll = LibC.EpollCreate1(LibC.EPOLL_CLOEXEC);
        var watch = new LibC.EpollEvent { Events = LibC.EPOLLIN };
        if (epoll < 0 || LibC.EpollCtl(epoll, LibC.EPOLL_CTL_ADD, mapFd, &watch) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (epoll >= 0) LibC.Close(epoll);
            LibC.Munmap((void*)producer, producerLength);
            LibC.Munmap((void*)consumer, pageSize);
            throw LibBpfErrors.Describe("watching the ring buffer with epoll", errno);
        }
        return new MappedRingBuffer((byte*)consumer, (byte*)producer, pageSize, producerLength, epoll, capacity);
    }

    public RingBufferReader Reader { get; }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> for the kernel to wake consumers (records submitted without a wakeup
    /// do not, so callers read after the wait either way). False when it timed out or a signal interrupted it.
    /// </summary>
    public bool Wait(int timeoutMs)
    {
        LibC.EpollEvent* ready = stackalloc LibC.EpollEvent[2]; // room for one event on any architecture's layout
        int n = LibC.EpollWait(_epoll, ready, 1, timeoutMs);
        if (n >= 0) return n > 0;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == LibC.EINTR) return false;
        throw LibBpfErrors.Describe("waiting on the ring buffer", errno);
    }

    public void Dispose()
    {
        LibC.Close(_epoll);
        LibC.Munmap(_producerPages, _producerLength);
        LibC.Munmap(_consumerPage, _pageSize);
    }
}
