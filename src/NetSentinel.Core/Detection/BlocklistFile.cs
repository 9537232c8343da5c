using NetSentinel.Core.Configuration;

namespace NetSentinel.Core.Detection;

/// <summary>
/// Reads blocklist.file: one address or CIDR block per line; blank lines and text after '#' are ignored.
/// A bad line is an error naming the file and the line — a blocklist that silently dropped entries would
/// give false comfort.
/// </summary>
public static class BlocklistFile
{
    /// <summary>Feeds are large but not unbounded; the cap stops a wrong path (a disk image) from eating memory.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    /// <exception cref="ConfigException">The file cannot be read or holds a line that is not an address or block.</exception>
    public static AddressSet Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            // A regular file only, opened without waiting and read through a bound: a FIFO would hang the start,
            // /dev/zero (size 0) would grow the monitor without end.
            bytes = InputFile.ReadAll(path, "blocklist file", (int)MaxFileBytes);
        }
        catch (InputFileException ex)
        {
            throw new ConfigException(ex.Message, path, null, ex);
        }
        using var reader = new StreamReader(new MemoryStream(bytes, writable: false));
        return Parse(reader, path);
    }

    /// <summary>Parses the lines of <paramref name="reader"/>; <paramref name="path"/> only names the file in messages.</summary>
    public static AddressSet Parse(TextReader reader, string path)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var prefixes = new List<NetworkPrefix>();
        int number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            int comment = line.IndexOf('#', StringComparison.Ordinal);
            string entry = (comment >= 0 ? line[..comment] : line).Trim();
            if (entry.Length == 0)
            {
                continue;
            }
            if (!NetworkPrefix.TryParse(entry, out NetworkPrefix prefix, out string problem))
            {
                throw new ConfigException($"{MonitorConfigFile.OneLine(path)}:{number}: {MonitorConfigFile.OneLine(problem)}", path, number);
            }
            prefixes.Add(prefix);
        }
        return new AddressSet(prefixes);
    }
}
