using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace NetSentinel.Core.Output.Pipeline;

/// <summary>
/// The RFC 5424 header put before the JSON line on the syslog output:
/// <c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME net-sentinel PROCID MSGID - </c>, then the JSON as the message.
/// The severity follows the line (an alert's severity, info for a connection, warning for a notice);
/// MSGID says which kind of line it is (alert, connection, notice) so a receiver can route without parsing.
/// </summary>
public sealed class SyslogHeader
{
    public const string AppName = "net-sentinel";

    private readonly int _facility;
    private readonly byte[] _hostAppProc;

    public SyslogHeader(SyslogFacility facility, string hostName, int processId)
    {
        _facility = (int)facility;
        _hostAppProc = Encoding.ASCII.GetBytes($" {PrintableAscii(hostName, 255)} {AppName} {processId.ToString(CultureInfo.InvariantCulture)} ");
    }

    /// <summary>Appends the header for <paramref name="record"/>; the caller appends the message.</summary>
    public void Write(LogRecord record, IBufferWriter<byte> output)
    {
        int severity = SeverityOf(record);
        ReadOnlySpan<byte> msgId = record switch
        {
            AlertRecord => "alert"u8,
            ConnectionLogRecord or ConnectionSnapshotRecord => "connection"u8,
            _ => "notice"u8,
        };
        Span<byte> span = output.GetSpan(96 + _hostAppProc.Length);
        int n = 0;
        span[n++] = (byte)'<';
        Utf8Formatter.TryFormat(_facility * 8 + severity, span[n..], out int written);
        n += written;
        ">1 "u8.CopyTo(span[n..]); // version 1 follows PRI with no space
        n += 3;
        record.Timestamp.UtcDateTime.TryFormat(span[n..], out written, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        n += written;
        _hostAppProc.CopyTo(span[n..]);
        n += _hostAppProc.Length;
        msgId.CopyTo(span[n..]);
        n += msgId.Length;
        " - "u8.CopyTo(span[n..]);
        n += 3;
        output.Advance(n);
    }

    /// <summary>Syslog severity (0 emergency .. 7 debug): crit, err, warning, notice for alerts; info for connections.</summary>
    private static int SeverityOf(LogRecord record) => record switch
    {
        AlertRecord { Severity: Severity.Critical } => 2,
        AlertRecord { Severity: Severity.High } => 3,
        AlertRecord { Severity: Severity.Medium } => 4,
        AlertRecord => 5,
        ConnectionLogRecord or ConnectionSnapshotRecord => 6,
        _ => 4,
    };

    /// <summary>RFC 5424 header fields are printable US-ASCII without spaces; anything else becomes '_'.</summary>
    private static string PrintableAscii(string text, int maxLength)
    {
        if (text.Length == 0) return "-";
        var builder = new StringBuilder(Math.Min(text.Length, maxLength));
        foreach (char c in text.AsSpan(0, Math.Min(text.Length, maxLength)))
        {
            builder.Append(c is > ' ' and < (char)127 ? c : '_');
        }
        return builder.ToString();
    }
}
