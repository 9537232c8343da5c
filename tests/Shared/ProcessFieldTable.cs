using System.Text.Json;

namespace NetSentinel.Tests.Shared;

/// <summary>
/// The table "Process fields by source" of docs/jsonl-schema.md, read as the contract it states: for each source (a
/// column), which process fields its lines carry. <see cref="Check"/> holds a line the real formatter wrote for a real
/// process against a column, so the document cannot say a source fills a field it does not, or miss one it does.
/// </summary>
public static class ProcessFieldTable
{
    public const string Heading = "### Process fields by source";

    /// <summary>The columns of the table, in order (after "field").</summary>
    public static IReadOnlyList<string> Columns => Read().Columns;

    /// <summary>The field paths the column says are written ("yes") and those it says are not ("—").</summary>
    public static (IReadOnlySet<string> Filled, IReadOnlySet<string> Left) Column(string column)
    {
        var (columns, rows) = Read();
        int index = columns.ToList().IndexOf(column);
        if (index < 0) throw new ArgumentException($"no column {column} in \"{Heading}\": {string.Join(", ", columns)}");
        var filled = new HashSet<string>();
        var left = new HashSet<string>();
        foreach (var (fields, cells) in rows)
        {
            string cell = cells[index];
            var set = cell.StartsWith("yes", StringComparison.Ordinal) ? filled : cell == "—" ? left : throw new FormatException($"cell \"{cell}\": say yes or —");
            set.UnionWith(fields);
        }

        return (filled, left);
    }

    /// <summary>Fails, naming each, when the line lacks a field the column says is filled or has one it says is left out.</summary>
    public static void Check(string column, string jsonLine)
    {
        var present = new HashSet<string>();
        using (var document = JsonDocument.Parse(jsonLine)) Collect(document.RootElement, "", present);
        var (filled, left) = Column(column);
        var missing = filled.Where(field => !present.Contains(field)).ToList();
        var extra = left.Where(present.Contains).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new Xunit.Sdk.XunitException($"column {column}: the line lacks [{string.Join(", ", missing)}] and has [{string.Join(", ", extra)}] against the table; line: {jsonLine}");
    }

    private static void Collect(JsonElement element, string path, HashSet<string> paths)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            paths.Add(path);
            return;
        }

        foreach (JsonProperty property in element.EnumerateObject())
            Collect(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}", paths);
    }

    /// <summary>Rows as (the fields the first cell names, the other cells). "`a.b.c`, `d`" names a.b.c and a.b.d.</summary>
    private static (string[] Columns, List<(string[] Fields, string[] Cells)> Rows) Read()
    {
        string[] lines = File.ReadAllLines(DocsFile("jsonl-schema.md"));
        int at = Array.IndexOf(lines, Heading);
        if (at < 0) throw new FormatException($"docs/jsonl-schema.md has no \"{Heading}\"");
        var table = lines.Skip(at + 1).SkipWhile(line => !line.StartsWith('|')).TakeWhile(line => line.StartsWith('|')).ToList();
        string[] Cells(string line) => line.Trim().Trim('|').Split('|').Select(cell => cell.Trim()).ToArray();
        string[] header = Cells(table[0]);
        var rows = new List<(string[], string[])>();
        foreach (string line in table.Skip(2))
        {
            string[] cells = Cells(line);
            string[] names = cells[0].Split(',').Select(name => name.Trim().Trim('`')).ToArray();
            string prefix = names[0].Contains('.') ? names[0][..(names[0].LastIndexOf('.') + 1)] : "";
            rows.Add((names.Select((name, i) => i == 0 || name.Contains('.') ? name : prefix + name).ToArray(), cells[1..]));
        }

        return (header[1..].Select(column => column.Trim('`')).ToArray(), rows);
    }

    private static string DocsFile(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "docs", name);
            if (File.Exists(candidate)) return candidate;
        }

        throw new FileNotFoundException($"docs/{name} not found above {AppContext.BaseDirectory}");
    }
}
