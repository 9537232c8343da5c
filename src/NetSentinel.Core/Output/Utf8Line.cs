using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace NetSentinel.Core.Output;

/// <summary>
/// A JSON line written byte by byte into a span sized beforehand, for the one line a storm writes tens of
/// thousands of times a second (the connection line): its layout is fixed, most of it is constant text, numbers,
/// addresses and times that need no escaping, and Utf8JsonWriter's per-call state and escaping checks were most of
/// its cost (issue #15). Strings from outside (names, users, domains) go through <see cref="AppendEscaped"/>, which
/// escapes exactly as the formatter's Utf8JsonWriter does — by asking one, unless the text is plain printable ASCII.
/// </summary>
internal ref struct Utf8Line(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;
    private int _length;

    /// <summary>Bytes written so far.</summary>
    public readonly int Length => _length;

    /// <summary>What was written from <paramref name="start"/> (an earlier <see cref="Length"/>) on.</summary>
    public readonly ReadOnlySpan<byte> Since(int start) => _buffer[start.._length];

    /// <summary>Most bytes <see cref="AppendEscaped"/> can write for <paramref name="text"/>: six per UTF-16 unit (<c>\u001b</c>).</summary>
    public static int MaxEscapedLength(string? text) => text is null ? 0 : 6 * text.Length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // a constant's copy then unrolls in place: most appends are a few bytes
    public void Append(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[_length..]);
        _length += bytes.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(byte value) => _buffer[_length++] = value;

    public void AppendNumber(long value)
    {
        Utf8Formatter.TryFormat(value, _buffer[_length..], out int written);
        _length += written;
    }

    public void AppendNumber(ulong value)
    {
        Utf8Formatter.TryFormat(value, _buffer[_length..], out int written);
        _length += written;
    }

    /// <summary>A timestamp as the formatter writes every one, in quotes: <c>"2025-03-14T13:09:26.535Z"</c>.</summary>
    public void AppendTimestamp(DateTimeOffset timestamp)
    {
        _buffer[_length++] = (byte)'"';
        EcsJsonFormatter.FormatTimestamp(timestamp, _buffer.Slice(_length, EcsJsonFormatter.TimestampLength));
        _length += EcsJsonFormatter.TimestampLength;
        _buffer[_length++] = (byte)'"';
    }

    /// <summary>The JSON string content of <paramref name="text"/> (without quotes), lone surrogates replaced, escaped as the formatter's writer escapes it.</summary>
    public void AppendEscaped(string text)
    {
        if (IsPlain(text))
        {
            _length += Encoding.ASCII.GetBytes(text, _buffer[_length..]);
            return;
        }

        Append(Escaped(text));
    }

    /// <summary>The escaped content of <paramref name="text"/> as a new array (for text formatted once and copied into many lines).</summary>
    public static byte[] Escape(string text) => IsPlain(text) ? Encoding.ASCII.GetBytes(text) : Escaped(text).ToArray();

    /// <summary>Printable ASCII without a quote or backslash: what Utf8JsonWriter with the relaxed encoder leaves as it is.</summary>
    private static bool IsPlain(string text)
    {
        // A plain loop: the texts are short, and the vectorized searches allocate in unoptimized (tier-0) code.
        foreach (char c in text)
        {
            if (c < ' ' || c > '~' || c == '"' || c == '\\')
            {
                return false;
            }
        }

        return true;
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>What Utf8JsonWriter writes for the text as a string value, without its quotes; valid until the next call on this thread.</summary>
    private static ReadOnlySpan<byte> Escaped(string text)
    {
        ArrayBufferWriter<byte> scratch = t_scratch ??= new ArrayBufferWriter<byte>(256);
        scratch.ResetWrittenCount();
        Utf8JsonWriter writer = t_writer ??= new Utf8JsonWriter(scratch, EcsJsonFormatter.WriterOptions);
        writer.Reset(scratch);
        writer.WriteStringValue(Utf16Sanitizer.ReplaceLoneSurrogates(text));
        writer.Flush();
        return scratch.WrittenSpan[1..^1];
    }
}
