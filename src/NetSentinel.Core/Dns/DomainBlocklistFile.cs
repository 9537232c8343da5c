using NetSentinel.Core.Configuration;

namespace NetSentinel.Core.Dns;

/// <summary>
/// Reads dns.blocklist_file: one domain name per line, <c>*.example</c> for example and everything under it,
/// <c>#</c> starts a comment, blank lines are skipped. A line that is not a name stops the load with its line number.
/// </summary>
public static class DomainBlocklistFile
{
    public static DomainBlocklist Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            // As blocklist.file: a regular file only, read through a bound (a FIFO would hang the start).
            bytes = InputFile.ReadAll(path, "dns block list", (int)Detection.BlocklistFile.MaxFileBytes);
        }
        catch (InputFileException ex)
        {
            throw new ConfigException(ex.Message, path, null, ex);
        }
        using var reader = new StreamReader(new MemoryStream(bytes, writable: false));
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }
        return Parse(lines, path);
    }

    public static DomainBlocklist Parse(IEnumerable<string> lines, string path)
    {
        var exact = new List<string>();
        var subtrees = new List<string>();
        int number = 0;
        foreach (string raw in lines)
        {
            number++;
            int hash = raw.IndexOf('#', StringComparison.Ordinal);
            string line = (hash >= 0 ? raw[..hash] : raw).Trim().TrimEnd('.').ToLowerInvariant();
            if (line.Length == 0)
            {
                continue;
            }
            bool wildcard = line.StartsWith("*.", StringComparison.Ordinal);
            string name = wildcard ? line[2..] : line;
            if (!IsName(name))
            {
                throw new ConfigException($"{path}:{number}: '{raw.Trim()}' is not a domain name or *.domain: use letters, digits, '-' and '_' in dot-separated labels of at most 63 characters");
            }
            (wildcard ? subtrees : exact).Add(name);
        }
        return new DomainBlocklist(exact, subtrees);
    }

    private static bool IsName(string name)
    {
        if (name.Length is 0 or > 253)
        {
            return false;
        }
        foreach (string label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || !label.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_'))
            {
                return false;
            }
        }
        return true;
    }
}
