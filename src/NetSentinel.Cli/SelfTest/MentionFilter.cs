using System.Buffers;
using System.Text;

namespace NetSentinel.Cli.SelfTest;

/// <summary>
/// Reads the monitor's stdout on a thread of its own and hands on the lines that mention one of the self-test's
/// programs. On a busy host the monitor writes thousands of lines a second about other processes; the reader has to
/// keep up with its bursts or the monitor, which never blocks on an output, drops lines the self-test needed. So it
/// reads big blocks of bytes synchronously (no thread-pool callback per line, which the scenarios' own load can
/// starve), decodes each line into one reused buffer, looks for every needle in one pass, and makes a string only of
/// a line it keeps.
/// </summary>
internal sealed class MentionFilter
{
    private const int BlockSize = 1 << 20;

    private readonly SearchValues<string> _needles;
    private readonly Action<string> _keep;
    private char[] _decoded = new char[4096];

    /// <param name="needles">A line is kept when it contains one of these (ordinal).</param>
    /// <param name="keep">Called, on the reading thread, with each kept line (without its line end).</param>
    public MentionFilter(IReadOnlyList<string> needles, Action<string> keep)
    {
        _needles = SearchValues.Create([.. needles], StringComparison.Ordinal);
        _keep = keep;
    }

    /// <summary>Reads <paramref name="stdout"/> to its end. A last line without a line end is looked at too.</summary>
    public void ReadToEnd(Stream stdout)
    {
        byte[] block = new byte[BlockSize];
        int held = 0; // bytes of an unfinished line at the block's start
        int read;
        while ((read = stdout.Read(block, held, block.Length - held)) > 0)
        {
            int end = held + read, start = 0, newline;
            while ((newline = block.AsSpan(start, end - start).IndexOf((byte)'\n')) >= 0)
            {
                Look(block.AsSpan(start, newline));
                start += newline + 1;
            }
            held = end - start;
            if (held == block.Length)
            {
                Look(block); // a line longer than a block: looked at in pieces (a needle across a cut is missed)
                held = 0;
            }
            else
            {
                block.AsSpan(start, held).CopyTo(block);
            }
        }
        if (held > 0)
        {
            Look(block.AsSpan(0, held));
        }
    }

    private void Look(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }
        int most = Encoding.UTF8.GetMaxCharCount(line.Length);
        if (_decoded.Length < most)
        {
            _decoded = new char[most];
        }
        int length = Encoding.UTF8.GetChars(line, _decoded);
        ReadOnlySpan<char> text = _decoded.AsSpan(0, length);
        if (text.ContainsAny(_needles))
        {
            _keep(text.ToString());
        }
    }
}
