using System.Globalization;

namespace NetSentinel.Linux.Snapshot;

/// <summary>
/// Host-level traffic from /proc/net/dev: the sum over every interface except lo. Two readings an
/// interval apart give the host's bytes/second next to the per-process figures.
/// </summary>
public sealed class ProcNetDevReader
{
    private const int ReceiveBytesColumn = 0;
    private const int TransmitBytesColumn = 8;

    private readonly string _path;

    public ProcNetDevReader(string path = "/proc/net/dev")
    {
        _path = path;
    }

    /// <summary>Reads and sums the file. Throws IOException when it cannot be read.</summary>
    public NetDevTotals Read() => Parse(File.ReadAllText(_path));

    /// <summary>
    /// Sums the receive and transmit byte columns of every interface line except lo. The two header
    /// lines and anything malformed are skipped: a line we cannot read never breaks the figure.
    /// </summary>
    public static NetDevTotals Parse(string text)
    {
        long received = 0, sent = 0;
        foreach (ReadOnlySpan<char> line in text.AsSpan().EnumerateLines())
        {
            // "  eth0: 1234 5 0 ..." — old kernels glue large numbers to the colon ("eth0:1234").
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            ReadOnlySpan<char> name = line[..colon].Trim();
            if (name.IsEmpty || name.SequenceEqual("lo") || name.Contains('|')) continue;

            ReadOnlySpan<char> columns = line[(colon + 1)..];
            long rx = -1, tx = -1;
            int index = 0;
            foreach (Range range in columns.Split(' '))
            {
                ReadOnlySpan<char> column = columns[range];
                if (column.IsEmpty) continue;
                if (index == ReceiveBytesColumn || index == TransmitBytesColumn)
                {
                    if (!long.TryParse(column, NumberStyles.None, CultureInfo.InvariantCulture, out long value)) break;
                    if (index == ReceiveBytesColumn) rx = value; else tx = value;
                }
                if (++index > TransmitBytesColumn) break;
            }
            if (rx < 0 || tx < 0) continue;
            received += rx;
            sent += tx;
        }
        return new NetDevTotals(received, sent);
    }
}
