using System.Runtime.InteropServices;
using NetSentinel.Linux.Bpf;

namespace NetSentinel.Linux.Tests.Bpf;

/// <summary>
/// A BPF ring buffer's memory laid out as the kernel lays it out and as a consumer's mapping shows it (kernel/bpf/ringbuf.c):
/// consumer and producer positions on pages of their own, the data area once (the reader maps it once) followed by
/// <c>capacity</c> bytes of 0xCC, where the kernel's second mapping would be: a reader that reads a wrapped record past
/// the end gets those instead of the record's bytes, and records reserved and submitted as
/// <c>__bpf_ringbuf_reserve</c> and <c>bpf_ringbuf_commit</c> do: an 8-byte header (length | busy bit, page offset), the
/// length rounded up to 8 with the header, the producer moved at reservation, the busy bit cleared (or the discard bit
/// set) at submission.
/// </summary>
internal sealed unsafe class KernelRingImitation : IDisposable
{
    public const uint BusyBit = 1u << 31;
    public const uint DiscardBit = 1u << 30;

    private readonly byte* _memory;
    private readonly long _capacity;

    public KernelRingImitation(long capacity, long startPosition = 0)
    {
        _capacity = capacity;
        _memory = (byte*)NativeMemory.AllocZeroed((nuint)(2 * 4096 + 2 * capacity));
        new Span<byte>(_memory + 2 * 4096 + capacity, (int)capacity).Fill(0xCC);
        *Consumer = startPosition;
        *Producer = startPosition;
        Reader = new RingBufferReader(Consumer, Producer, _memory + 2 * 4096, capacity);
    }

    public long* Consumer => (long*)_memory;

    public long* Producer => (long*)(_memory + 4096);

    public RingBufferReader Reader { get; }

    /// <summary>Reserves a record of <paramref name="payload"/>'s size, writes it and leaves it busy; returns its header's position.</summary>
    public long Reserve(byte[] payload)
    {
        long position = *Producer;
        long length = (payload.Length + 8 + 7) & ~7L;
        if (position + length - *Consumer > _capacity - 1) throw new InvalidOperationException("ring full");
        WriteUInt32(position, (uint)payload.Length | BusyBit);
        WriteUInt32(position + 4, 0);
        for (int i = 0; i < payload.Length; i++) WriteByte(position + 8 + i, payload[i]);
        Volatile.Write(ref *Producer, position + length);
        return position;
    }

    /// <summary>Clears the busy bit (and sets the discard bit when <paramref name="discard"/>), as the kernel's commit does.</summary>
    public void Submit(long position, bool discard = false)
    {
        uint header = ReadUInt32(position) & ~BusyBit;
        WriteUInt32(position, discard ? header | DiscardBit : header);
    }

    public void Output(byte[] payload) => Submit(Reserve(payload));

    private uint ReadUInt32(long position) => *(uint*)(_memory + 2 * 4096 + (position & (_capacity - 1)));

    private void WriteUInt32(long position, uint value)
    {
        for (int i = 0; i < 4; i++) WriteByte(position + i, (byte)(value >> (8 * i)));
    }

    private void WriteByte(long position, byte value)
    {
        long offset = position & (_capacity - 1);
        _memory[2 * 4096 + offset] = value;
    }

    public void Dispose() => NativeMemory.Free(_memory);
}
