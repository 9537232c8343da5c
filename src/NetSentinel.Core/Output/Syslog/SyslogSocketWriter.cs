using System.Buffers;
using System.Buffers.Text;
using System.Net.Sockets;
using NetSentinel.Core.Output.Pipeline;

namespace NetSentinel.Core.Output.Syslog;

/// <summary>
/// The syslog output's far end: each queued line (an RFC 5424 header and the JSON line, see
/// <see cref="SyslogHeader"/>) becomes one datagram on a Unix socket or UDP, or one octet-counted frame
/// on TCP. Runs on the output's own thread, so it may block — but never for long: sends and connects
/// time out after <see cref="Timeout"/>, a receiver that stopped reading then costs counted lines, not
/// a stalled monitor. A lost connection is tried again with <see cref="ReconnectBackoff"/>; meanwhile
/// batches fail at once and are counted.
/// </summary>
public sealed class SyslogSocketWriter : IBatchWriter
{
    /// <summary>Longest a connect or a send may take before the lines are given up.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly ReconnectBackoff _backoff;
    private readonly TimeSpan _timeout;
    private readonly ArrayBufferWriter<byte> _frames = new(64 * 1024);
    private readonly List<(int FrameEnd, int LineEnd)> _frameEnds = [];
    private Socket? _socket;
    private long _connects;

    public SyslogSocketWriter(SyslogTarget target, ReconnectBackoff? backoff = null, TimeSpan? timeout = null)
    {
        Target = target;
        _backoff = backoff ?? new ReconnectBackoff();
        _timeout = timeout ?? Timeout;
    }

    public SyslogTarget Target { get; }

    /// <summary>Connections made (the first, then one per reconnect).</summary>
    public long Connects => Volatile.Read(ref _connects);

    public void Write(ReadOnlySpan<byte> lines)
    {
        Socket socket = Connected();
        try
        {
            if (Target.Transport == SyslogTransport.Tcp) SendFramed(socket, lines);
            else SendDatagrams(socket, lines);
        }
        catch (BatchWriteException e) when (e.InnerException is SocketException)
        {
            Disconnect(); // the stream may be cut mid-frame, or the receiver is gone: start clean
            throw;
        }
    }

    public void Dispose() => Disconnect();

    /// <summary>The open socket, or a new one; throws when the target cannot be reached (or a retry is not due yet).</summary>
    private Socket Connected()
    {
        if (_socket is { } open && !PeerClosed(open)) return open;
        Disconnect();
        if (!_backoff.MayTry)
            throw new IOException($"{Target} is not connected; next try in {_backoff.Remaining.TotalSeconds:0.#} s");
        Socket socket = Target.Transport switch
        {
            SyslogTransport.UnixDatagram => new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified),
            SyslogTransport.Udp => new Socket(Target.EndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp),
            _ => new Socket(Target.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp),
        };
        try
        {
            socket.SendTimeout = (int)_timeout.TotalMilliseconds;
            if (Target.Transport == SyslogTransport.Tcp)
            {
                socket.NoDelay = true; // one write per batch already; do not hold the last frame back
                ConnectWithin(socket, Target.EndPoint, _timeout);
            }
            else
            {
                socket.Connect(Target.EndPoint); // datagram sockets: sets the default destination, fails fast if a Unix path has no receiver
            }
        }
        catch (Exception e)
        {
            socket.Dispose();
            _backoff.Failed();
            var cause = e is AggregateException { InnerException: { } inner } ? inner : e;
            throw new IOException($"cannot connect to {Target}: {cause.Message}", cause);
        }
        _backoff.Succeeded();
        Interlocked.Increment(ref _connects);
        return _socket = socket;
    }

    /// <summary>
    /// A TCP connect bounded by <paramref name="timeout"/> on this thread alone: a non-blocking connect, then a poll
    /// for writable. ConnectAsync(...).Wait(timeout) finished only when a thread-pool thread ran the connect's
    /// completion, so a pool kept busy elsewhere (700 unit tests in parallel on 2 cores) turned a loopback connect
    /// into a "took longer than 2 s" and a reset connection left in the receiver's queue.
    /// </summary>
    private void ConnectWithin(Socket socket, System.Net.EndPoint endPoint, TimeSpan timeout)
    {
        socket.Blocking = false;
        try
        {
            socket.Connect(endPoint);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            long micros = (long)timeout.TotalMicroseconds;
            if (!socket.Poll(micros > int.MaxValue ? -1 : (int)micros, SelectMode.SelectWrite))
                throw new IOException($"connecting to {Target} took longer than {timeout.TotalSeconds:0.#} s");
            var error = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
            if (error != SocketError.Success) throw new SocketException((int)error);
        }
        socket.Blocking = true;
    }

    /// <summary>A TCP receiver that closed its side (restarted) shows as readable with nothing to read: reconnect before sending into the void.</summary>
    private static bool PeerClosed(Socket socket)
    {
        if (socket.SocketType != SocketType.Stream) return false;
        try
        {
            return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private void Disconnect()
    {
        _socket?.Dispose();
        _socket = null;
    }

    /// <summary>One datagram per line, without its '\n'. A line too long for a datagram is skipped and counted; any other error ends the batch.</summary>
    private void SendDatagrams(Socket socket, ReadOnlySpan<byte> lines)
    {
        int sentLines = 0, sentBytes = 0, tooLong = 0, start = 0;
        while (start < lines.Length)
        {
            int end = lines[start..].IndexOf((byte)'\n');
            end = end < 0 ? lines.Length : start + end + 1;
            ReadOnlySpan<byte> message = lines[start..end].TrimEnd((byte)'\n');
            socket.Send(message, SocketFlags.None, out SocketError error);
            if (error == SocketError.MessageSize)
            {
                tooLong++;
            }
            else if (error != SocketError.Success)
            {
                _backoff.Failed();
                throw new BatchWriteException(sentLines, sentBytes, $"sending to {Target} failed: {new SocketException((int)error).Message}",
                    new SocketException((int)error));
            }
            else
            {
                sentLines++;
                sentBytes += end - start;
            }
            start = end;
        }
        if (tooLong > 0)
            throw new BatchWriteException(sentLines, sentBytes, $"{tooLong} message(s) longer than one datagram to {Target} can carry");
    }

    /// <summary>The whole batch as octet-counted frames (<c>LENGTH SP MESSAGE</c>) in as few sends as the socket takes.</summary>
    private void SendFramed(Socket socket, ReadOnlySpan<byte> lines)
    {
        _frames.ResetWrittenCount();
        _frameEnds.Clear();
        int start = 0;
        while (start < lines.Length)
        {
            int end = lines[start..].IndexOf((byte)'\n');
            end = end < 0 ? lines.Length : start + end + 1;
            ReadOnlySpan<byte> message = lines[start..end].TrimEnd((byte)'\n');
            Span<byte> span = _frames.GetSpan(message.Length + 12);
            Utf8Formatter.TryFormat(message.Length, span, out int digits);
            span[digits] = (byte)' ';
            message.CopyTo(span[(digits + 1)..]);
            _frames.Advance(digits + 1 + message.Length);
            _frameEnds.Add((_frames.WrittenCount, end));
            start = end;
        }

        ReadOnlySpan<byte> frames = _frames.WrittenSpan;
        int sent = 0;
        while (sent < frames.Length)
        {
            int n = socket.Send(frames[sent..], SocketFlags.None, out SocketError error);
            if (n > 0) sent += n;
            if (error == SocketError.Success && n > 0) continue;
            // Whole frames that left count as written; the frame cut short is lost with the rest.
            int whole = 0, bytes = 0;
            foreach (var (frameEnd, lineEnd) in _frameEnds)
            {
                if (frameEnd > sent) break;
                whole++;
                bytes = lineEnd;
            }
            _backoff.Failed();
            var cause = new SocketException((int)(error == SocketError.Success ? SocketError.ConnectionReset : error));
            throw new BatchWriteException(whole, bytes, $"sending to {Target} failed after {whole} of {_frameEnds.Count} message(s): {cause.Message}", cause);
        }
    }
}
