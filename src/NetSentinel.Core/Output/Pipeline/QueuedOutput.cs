using System.Buffers;

namespace NetSentinel.Core.Output.Pipeline;

/// <summary>
/// One output behind a bounded queue with a thread of its own, so that a slow or stuck output (a
/// console nobody reads, a syslog server that stopped answering, a stalling disk) never blocks detection
/// or the other outputs. The monitor's thread copies each line into the queue: a line that does not fit
/// is dropped and counted. Per-event lines (one per connection or DNS message) may fill only
/// <see cref="PerEventShare"/> of the queue, so the rest is always there for alerts and notices. The output's thread takes everything queued at once and hands it
/// to the <see cref="IBatchWriter"/> in one write, when the monitor ends a drain (<see cref="Flush"/>),
/// when half the queue is full, or at the latest <see cref="MaxDelay"/> after the first line queued.
/// <para>
/// Per-event lines may instead be formatted straight into the queue (<see cref="BeginPerEventLine"/>): the monitor's
/// thread claims a stretch of the queue's buffer past what is queued (the tail, up to <see cref="TailBytes"/>) and
/// writes line after line into it without the lock; the tail's whole lines join the queue when the tail is full, when
/// the monitor ends a drain (<see cref="Flush"/>), before any line queued otherwise, and when the output's thread asks
/// for them. With every connection logged, the lock and copy per line were a tenth of the monitor's CPU (issue #15).
/// </para>
/// </summary>
public sealed class QueuedOutput : IDisposable
{
    /// <summary>The longest a queued line waits for its write when nobody calls <see cref="Flush"/>.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(50);

    private const int InitialBufferBytes = 64 * 1024;

    /// <summary>The part of the queue per-event lines may fill: a storm of them leaves room for the alerts it causes.</summary>
    public const double PerEventShare = 0.75;

    /// <summary>
    /// How long per-event lines may make the monitor wait for a <see cref="WaitWhenFull"/> output in one drain.
    /// A short wait costs nothing: the kernel's ring buffer holds the events meanwhile, in ~140-byte records
    /// rather than ~2.6 KB lines (4 MiB of it is ~100 ms of the fastest storm in make bench), so a writer thread
    /// that waited a moment for a core loses no line. A longer one would overflow the ring and blind detection.
    /// </summary>
    public static readonly TimeSpan PerEventWaitPerDrain = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The longest per-event lines may make the monitor wait in one drain while <see cref="SourceHasRoom"/> says the
    /// source's queue can still hold its events. Long enough for what dropped lines the ring buffer had room for: the
    /// kernel pausing the file's thread over its dirty-page limit (up to 200 ms at a time), and a loaded machine
    /// leaving that thread without a core for longer (a full test suite beside a 1,000-connection test: 13 lines
    /// dropped with 200 ms); a bound all the same, so a stuck disk on a quiet host (the ring never fills) holds each
    /// drain, and so SIGTERM and the interval's alerts, at most this long.
    /// </summary>
    public static readonly TimeSpan PerEventWaitWhileSourceHasRoom = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Most bytes the monitor's thread claims at once for lines formatted straight into the queue: one lock per ~20
    /// lines of a storm, and short enough that the output's thread waits little when it wants the buffer meanwhile.
    /// </summary>
    internal const int TailBytes = 64 * 1024;

    /// <summary>How often a waiting per-event line asks <see cref="SourceHasRoom"/> again.</summary>
    private static readonly TimeSpan SourceCheckInterval = TimeSpan.FromMilliseconds(5);

    private readonly object _gate = new();
    private readonly IBatchWriter _writer;
    private readonly Action<string>? _report;
    private readonly Thread _thread;
    private byte[] _filling;
    private byte[] _spare;
    private int _filled;
    private int _fillingLines;
    private bool _flushRequested;
    // Set while the output's thread waits with nothing queued and no tail open: only then does a first line wake it.
    private bool _writerIdle;
    private bool _stopping;
    private bool _failing;
    private long _linesWritten;
    private long _bytesWritten;
    private long _linesDropped;
    private long _linesFailed;
    private long _batches;
    private long _blockedTicks;
    private TimeSpan _perEventWaitLeft = PerEventWaitPerDrain;
    private TimeSpan _perEventWaitedInDrain;

    // The tail (see the class's remarks). _tailOpen changes under _gate; while it is set, the monitor's thread owns
    // _filling from _filled to _tailEnd, and the output's thread leaves _filling alone (it sets _writerWantsTail and waits).
    private bool _tailOpen;
    private volatile bool _writerWantsTail;
    private int _tailEnd;
    // The monitor's thread's own: bytes and lines of whole lines in the tail, not yet queued; the line being formatted.
    private int _tailBytes;
    private int _tailLines;
    private int _lineLength;
    private bool _lineSpilled;
    private readonly TailWriter _tailWriter;
    private readonly ArrayBufferWriter<byte> _spill = new(4096);

    /// <param name="name">Short name in reports and metrics: "file", "stdout", "syslog".</param>
    /// <param name="capacityBytes">Most bytes queued at once; the buffers grow to it only under load.</param>
    /// <param name="report">Told, from the output's thread, when writing starts failing and when it works again.</param>
    public QueuedOutput(string name, IBatchWriter writer, OutputLines lines, OutputFormat format, int capacityBytes, Action<string>? report = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, 1024);
        Name = name;
        Lines = lines;
        Format = format;
        CapacityBytes = capacityBytes;
        _writer = writer;
        _report = report;
        _filling = new byte[Math.Min(InitialBufferBytes, capacityBytes)];
        _spare = new byte[_filling.Length];
        _tailWriter = new TailWriter(this);
        _thread = new Thread(Run) { IsBackground = true, Name = $"net-sentinel output {name}" };
        _thread.Start();
    }

    public string Name { get; }
    public OutputLines Lines { get; }
    public OutputFormat Format { get; }
    public int CapacityBytes { get; }

    /// <summary>
    /// The log file's choice: when its queue is full the monitor waits for the disk rather than drop a line —
    /// for alerts and notices as long as it takes (they are rare), for per-event lines at most
    /// <see cref="PerEventWaitPerDrain"/> per drain: while the monitor waits, the kernel's ring buffer fills, and
    /// past that detection would lose events, so a storm's connection lines that still find the queue full are
    /// dropped and counted instead (issue #15). Consoles and syslog drop every kind of line at once.
    /// </summary>
    public bool WaitWhenFull { get; init; }

    /// <summary>
    /// Whether the source can hold its events a while longer (the eBPF ring buffer is less than half full): per-event
    /// lines then wait for the file past <see cref="PerEventWaitPerDrain"/>, up to <see cref="PerEventWaitWhileSourceHasRoom"/>
    /// per drain, since nothing is lost while the ring buffer holds the events; once it is half full they are dropped and
    /// counted, so the monitor drains it. Null (polling, ETW: no such queue to read): the fixed budget only.
    /// Called on the monitor's thread while it holds the queue's lock: it must be cheap and never block.
    /// </summary>
    public Func<bool>? SourceHasRoom { get; init; }

    /// <summary>How long a stop waits for this output to write what it holds (the file longer than a console).</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Lines the writer accepted.</summary>
    public long LinesWritten => Volatile.Read(ref _linesWritten);

    public long BytesWritten => Volatile.Read(ref _bytesWritten);

    /// <summary>Lines dropped because the queue was full: the output did not keep up.</summary>
    public long LinesDropped => Volatile.Read(ref _linesDropped);

    /// <summary>Lines lost because the writer failed (disk full, syslog server gone).</summary>
    public long LinesFailed => Volatile.Read(ref _linesFailed);

    /// <summary>Writes handed to the writer (each with every line queued at the time).</summary>
    public long Batches => Volatile.Read(ref _batches);

    /// <summary>Bytes waiting in the queue right now.</summary>
    public int QueuedBytes
    {
        get { lock (_gate) return _filled; }
    }

    /// <summary>
    /// Copies one whole line (ending with '\n') into the queue. When the queue is full the line is
    /// dropped and counted, false, unless <see cref="WaitWhenFull"/>: then the caller waits for room (a
    /// <paramref name="perEvent"/> line only within the drain's <see cref="PerEventWaitPerDrain"/>). A
    /// per-event line counts as not fitting once the queue is <see cref="PerEventShare"/> full.
    /// </summary>
    public bool TryEnqueue(ReadOnlySpan<byte> line, bool perEvent = false)
    {
        int limit = perEvent ? (int)(CapacityBytes * PerEventShare) : CapacityBytes;
        lock (_gate)
        {
            CloseTail(); // the tail's lines came first
            if (_stopping)
            {
                return false; // closed: nothing more is accepted (and nothing is lost by a slow reader)
            }
            if (_filled + line.Length > limit && WaitWhenFull && line.Length <= CapacityBytes)
            {
                if (!perEvent)
                {
                    WaitForRoom(line.Length, limit, Timeout.InfiniteTimeSpan);
                }
                else
                {
                    WaitForRoomForPerEventLine(line.Length, limit);
                }
            }
            if (_stopping || _filled + line.Length > limit)
            {
                _linesDropped++;
                return false;
            }
            if (_filled + line.Length > _filling.Length)
            {
                Grow(_filled + line.Length);
            }
            line.CopyTo(_filling.AsSpan(_filled));
            Queued(line.Length, 1);
            return true;
        }
    }

    /// <summary>Bytes and lines just put at the end of the queue, under the lock: the output's thread is woken when it should be.</summary>
    private void Queued(int bytes, int lines)
    {
        bool wasEmpty = _filled == 0;
        _filled += bytes;
        _fillingLines += lines;
        if (_filled >= CapacityBytes / 2 && !_flushRequested)
        {
            // Once per batch: a pulse per line past half full woke the writer into this lock on every line.
            _flushRequested = true;
            Monitor.PulseAll(_gate);
        }
        else if (wasEmpty && _writerIdle)
        {
            Monitor.PulseAll(_gate); // wakes the idle thread, which then waits for the drain's end
        }
    }

    /// <summary>
    /// Starts a per-event line formatted straight into the queue: write it to the returned writer, then call
    /// <see cref="EndPerEventLine"/> (or <see cref="AbandonPerEventLine"/> when formatting failed). The monitor's
    /// thread only, one line at a time. A line that does not fit the tail is gathered aside and queued as
    /// <see cref="TryEnqueue"/> queues it (waiting for room or dropped and counted, as any per-event line).
    /// </summary>
    internal IBufferWriter<byte> BeginPerEventLine()
    {
        _lineLength = 0;
        _lineSpilled = false;
        return _tailWriter;
    }

    /// <summary>
    /// Ends the line begun with <see cref="BeginPerEventLine"/>: it is queued (true) or dropped and counted (false).
    /// <paramref name="line"/> is its text, for other outputs; valid until the next call on this output.
    /// </summary>
    internal bool EndPerEventLine(out ReadOnlySpan<byte> line)
    {
        if (_lineSpilled)
        {
            line = _spill.WrittenSpan;
            _lineSpilled = false;
            return TryEnqueue(line, perEvent: true);
        }

        int start = _filledAtClaim + _tailBytes;
        line = _filling.AsSpan(start, _lineLength);
        _tailBytes += _lineLength;
        _tailLines++;
        _lineLength = 0;
        if (_writerWantsTail)
        {
            lock (_gate) CloseTail();
        }
        return true;
    }

    /// <summary>Forgets the line begun with <see cref="BeginPerEventLine"/> (its formatting failed): nothing of it is queued.</summary>
    internal void AbandonPerEventLine()
    {
        _lineLength = 0;
        _lineSpilled = false;
    }

    // Where the open tail starts: _filled when it was claimed (the queue grows only through the tail meanwhile).
    private int _filledAtClaim;

    /// <summary>Room for at least <paramref name="sizeHint"/> more bytes of the current line: in the tail, or aside once it does not fit there.</summary>
    private Memory<byte> LineMemory(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (!_lineSpilled)
        {
            int at = _filledAtClaim + _tailBytes + _lineLength;
            if (_tailOpen && _tailEnd - at >= sizeHint)
            {
                return _filling.AsMemory(at, _tailEnd - at);
            }
            if (_lineLength == 0 && ClaimTail(sizeHint))
            {
                return _filling.AsMemory(_filledAtClaim, _tailEnd - _filledAtClaim);
            }
            // The line goes aside: what of it is written so far moves with it.
            _spill.ResetWrittenCount();
            _spill.Write(_filling.AsSpan(at - _lineLength, _lineLength));
            _lineSpilled = true;
        }
        return _spill.GetMemory(sizeHint);
    }

    private void AdvanceLine(int count)
    {
        if (_lineSpilled)
        {
            _spill.Advance(count);
        }
        else
        {
            _lineLength += count;
        }
    }

    /// <summary>Queues the open tail's whole lines and claims a new tail with room for <paramref name="needed"/> bytes; false when the queue has no such room now.</summary>
    private bool ClaimTail(int needed)
    {
        lock (_gate)
        {
            CloseTail();
            int limit = (int)(CapacityBytes * PerEventShare);
            if (_stopping || _filled + needed > limit)
            {
                return false;
            }
            int end = Math.Min(limit, _filled + Math.Max(needed, TailBytes));
            if (end > _filling.Length)
            {
                Grow(end);
                end = Math.Min(end, _filling.Length);
            }
            _filledAtClaim = _filled;
            _tailEnd = end;
            _tailBytes = 0;
            _tailLines = 0;
            _tailOpen = true;
            if (_writerIdle)
            {
                Monitor.PulseAll(_gate); // the idle output thread starts its MaxDelay for the tail's lines
            }
            return true;
        }
    }

    /// <summary>Under the lock: the tail's whole lines join the queue, and the buffer is the output thread's to take again.</summary>
    private void CloseTail()
    {
        if (!_tailOpen)
        {
            return;
        }
        _tailOpen = false;
        if (_tailLines > 0)
        {
            Queued(_tailBytes, _tailLines);
        }
        _tailBytes = 0;
        _tailLines = 0;
        if (_writerWantsTail)
        {
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Time the monitor spent waiting for room (only with <see cref="WaitWhenFull"/>).</summary>
    public TimeSpan BlockedTime => TimeSpan.FromTicks(Volatile.Read(ref _blockedTicks));

    /// <summary>A per-event line's wait: the drain's fixed budget first, then as long as the source has room (at most <see cref="PerEventWaitWhileSourceHasRoom"/> per drain).</summary>
    private void WaitForRoomForPerEventLine(int needed, int limit)
    {
        while (!_stopping && _filled + needed > limit)
        {
            TimeSpan slice;
            if (_perEventWaitLeft > TimeSpan.Zero)
            {
                slice = _perEventWaitLeft;
            }
            else if (_perEventWaitedInDrain < PerEventWaitWhileSourceHasRoom && SourceHasRoom?.Invoke() == true)
            {
                slice = SourceCheckInterval;
            }
            else
            {
                return;
            }

            TimeSpan waited = WaitForRoom(needed, limit, slice);
            _perEventWaitLeft = waited >= _perEventWaitLeft ? TimeSpan.Zero : _perEventWaitLeft - waited;
            _perEventWaitedInDrain += waited;
        }
    }

    /// <summary>Waits until <paramref name="needed"/> bytes fit under <paramref name="limit"/>, or the stop, or <paramref name="timeout"/>; returns the time waited.</summary>
    private TimeSpan WaitForRoom(int needed, int limit, TimeSpan timeout)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        _flushRequested = true;
        Monitor.PulseAll(_gate);
        while (!_stopping && _filled + needed > limit)
        {
            TimeSpan left = timeout == Timeout.InfiniteTimeSpan ? timeout : timeout - System.Diagnostics.Stopwatch.GetElapsedTime(start);
            if (left != Timeout.InfiniteTimeSpan && left <= TimeSpan.Zero)
            {
                break;
            }
            Monitor.Wait(_gate, left);
        }
        TimeSpan waited = System.Diagnostics.Stopwatch.GetElapsedTime(start);
        Interlocked.Add(ref _blockedTicks, waited.Ticks);
        return waited;
    }

    /// <summary>The monitor finished a drain: write what is queued now.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            CloseTail();
            _perEventWaitLeft = PerEventWaitPerDrain;
            _perEventWaitedInDrain = TimeSpan.Zero;
            if (_filled == 0) return;
            _flushRequested = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// Writes what is queued and stops the thread, waiting at most <paramref name="timeout"/>; lines a
    /// stuck writer could not take by then are counted as dropped. True when everything was written.
    /// </summary>
    public bool Stop(TimeSpan timeout)
    {
        lock (_gate)
        {
            CloseTail();
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        if (_thread.Join(timeout)) return true;
        lock (_gate)
        {
            _linesDropped += _fillingLines;
            _fillingLines = 0;
            _filled = 0;
        }
        return false;
    }

    public void Dispose()
    {
        Stop(StopTimeout);
        if (!_thread.IsAlive) _writer.Dispose();
    }

    private void Grow(int needed)
    {
        int size = Math.Min(CapacityBytes, Math.Max(needed, Math.Max(InitialBufferBytes, _filling.Length * 2)));
        Array.Resize(ref _filling, size);
    }

    private void Run()
    {
        while (true)
        {
            byte[] batch;
            int length, lines;
            lock (_gate)
            {
                while (_filled == 0 && !_tailOpen && !_stopping)
                {
                    _writerIdle = true;
                    Monitor.Wait(_gate);
                }
                _writerIdle = false;
                WaitForFlushOrMaxDelay();
                while (_tailOpen)
                {
                    _writerWantsTail = true; // the monitor closes the tail at its next line's end, or its drain's
                    Monitor.Wait(_gate);
                }
                _writerWantsTail = false;
                if (_filled == 0)
                {
                    if (_stopping)
                    {
                        return; // everything is written
                    }
                    continue; // a tail closed empty
                }
                batch = _filling;
                length = _filled;
                lines = _fillingLines;
                _filling = _spare; // the previous batch's buffer; it grows again only if this drain needs it
                _spare = [];
                _filled = 0;
                _fillingLines = 0;
                _flushRequested = false;
                Monitor.PulseAll(_gate); // a monitor waiting for room has it now
            }

            WriteBatch(batch.AsSpan(0, length), lines);

            lock (_gate)
            {
                _spare = batch;
            }
        }
    }

    /// <summary>
    /// Under the lock: lets the monitor's drain go on adding lines until it ends (<see cref="Flush"/>), half the queue
    /// is full, or <see cref="MaxDelay"/> has passed. Only those wake this wait: a wake per tail or per first line
    /// (each a futex system call on the monitor's thread and a context switch) cut the batches to ~40 lines and was
    /// about a tenth of a logged line's cost on the monitor's thread (issue #15).
    /// </summary>
    private void WaitForFlushOrMaxDelay()
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        while (!_flushRequested && !_stopping)
        {
            TimeSpan left = MaxDelay - System.Diagnostics.Stopwatch.GetElapsedTime(start);
            if (left <= TimeSpan.Zero)
            {
                return;
            }
            Monitor.Wait(_gate, left);
        }
    }

    private void WriteBatch(ReadOnlySpan<byte> batch, int lines)
    {
        try
        {
            _writer.Write(batch);
            Interlocked.Add(ref _linesWritten, lines);
            Interlocked.Add(ref _bytesWritten, batch.Length);
            Interlocked.Increment(ref _batches);
            if (_failing)
            {
                _failing = false;
                _report?.Invoke($"output {Name}: writing again ({LinesFailed} line(s) lost while it failed)");
            }
        }
        catch (Exception e) // whatever the far end throws, the monitor keeps running and the loss is counted
        {
            if (e is BatchWriteException { LinesWritten: > 0 } partial)
            {
                Interlocked.Add(ref _linesWritten, partial.LinesWritten);
                Interlocked.Add(ref _bytesWritten, partial.BytesWritten);
                lines -= Math.Min(lines, partial.LinesWritten);
            }
            Interlocked.Add(ref _linesFailed, lines);
            if (!_failing)
            {
                _failing = true;
                _report?.Invoke($"output {Name}: cannot write: {e.Message}; its lines are counted as lost until it works again");
            }
        }
    }

    /// <summary>The <see cref="IBufferWriter{T}"/> a per-event line is formatted into: the queue's tail, or aside when it does not fit there.</summary>
    private sealed class TailWriter(QueuedOutput output) : IBufferWriter<byte>
    {
        public void Advance(int count) => output.AdvanceLine(count);

        public Memory<byte> GetMemory(int sizeHint = 0) => output.LineMemory(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => output.LineMemory(sizeHint).Span;
    }
}
