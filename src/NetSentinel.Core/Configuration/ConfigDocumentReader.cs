using Tomlyn.Syntax;

namespace NetSentinel.Core.Configuration;

/// <summary>
/// Walks a parsed, syntax-valid TOML document and applies each known key to a <see cref="MonitorConfig"/>.
/// A key may be reached three ways — under a <c>[table]</c> header, as a dotted key
/// (<c>general.interval_seconds = 3</c>) or inside an inline table (<c>general = { … }</c>) — so every
/// assignment is reduced to its full key path first. Problems are collected with their 1-based line.
/// </summary>
internal sealed class ConfigDocumentReader
{
    private readonly List<(int Line, string Message)> _problems = [];

    public IReadOnlyList<(int Line, string Message)> Problems => _problems;

    public MonitorConfig Apply(DocumentSyntax document, MonitorConfig config)
    {
        foreach (KeyValueSyntax keyValue in document.KeyValues)
        {
            config = Assign([], keyValue, config);
        }
        foreach (TableSyntaxBase table in document.Tables)
        {
            int line = table.Span.Start.Line + 1;
            List<string> path = Segments(table.Name);
            if (table is TableArraySyntax)
            {
                string name = string.Join('.', path);
                Report(line, ConfigSchema.IsTable(name)
                    ? $"'{name}' must be a single table — write [{name}], not [[{name}]]"
                    : UnknownTable(path[0]));
                continue;
            }
            if (!IsUsableTableHeader(path, line, config))
            {
                continue;
            }
            foreach (KeyValueSyntax keyValue in table.Items)
            {
                config = Assign(path, keyValue, config);
            }
        }
        return config;
    }

    /// <summary>A header names one of our tables; <c>[general.interval_seconds]</c> would make a key a table.</summary>
    private bool IsUsableTableHeader(List<string> path, int line, MonitorConfig config)
    {
        if (!ConfigSchema.IsTable(path[0]))
        {
            Report(line, UnknownTable(path[0]));
            return false;
        }
        if (path.Count == 1)
        {
            return true;
        }
        ConfigKey? key = ConfigSchema.Find(path[0], path[1]);
        if (key is null)
        {
            Report(line, UnknownKey(path[0], path[1]));
            return false;
        }
        // Let the key's own reader word the type error, as for `key = { … }`.
        ApplyValue(key, new InlineTableSyntax(), line, config);
        return false;
    }

    private MonitorConfig Assign(List<string> prefix, KeyValueSyntax keyValue, MonitorConfig config)
    {
        int line = keyValue.Span.Start.Line + 1;
        List<string> path = [.. prefix, .. Segments(keyValue.Key)];
        ValueSyntax value = keyValue.Value!;

        if (!ConfigSchema.IsTable(path[0]))
        {
            Report(line, path.Count == 1 ? UnknownRootKey(path[0]) : UnknownTable(path[0]));
            return config;
        }
        if (path.Count == 1)
        {
            if (value is not InlineTableSyntax inline)
            {
                Report(line, $"'{path[0]}' must be a table (got {new ConfigValue(path[0], value).Describe()}) — write [{path[0]}] and its keys below it");
                return config;
            }
            foreach (InlineTableItemSyntax item in inline.Items)
            {
                if (item.KeyValue is { } inner)
                {
                    config = Assign(path, inner, config);
                }
            }
            return config;
        }

        ConfigKey? key = ConfigSchema.Find(path[0], path[1]);
        if (key is null)
        {
            Report(line, UnknownKey(path[0], path[1]));
            return config;
        }
        // `general.interval_seconds.x = 1` makes the key a table.
        return ApplyValue(key, path.Count > 2 ? new InlineTableSyntax() : value, line, config);
    }

    private MonitorConfig ApplyValue(ConfigKey key, ValueSyntax value, int line, MonitorConfig config)
    {
        try
        {
            return key.Apply(config, new ConfigValue(key.QualifiedName, value));
        }
        catch (ConfigValueException problem)
        {
            Report(line, problem.Message);
            return config;
        }
    }

    private void Report(int line, string message) => _problems.Add((line, message));

    private static string UnknownTable(string table)
    {
        string? meant = NameSuggestion.Closest(table, ConfigSchema.Tables);
        return meant is not null
            ? $"unknown table '{table}' (did you mean '{meant}'?)"
            : $"unknown table '{table}' — known tables: {string.Join(", ", ConfigSchema.Tables.Select(t => $"[{t}]"))}";
    }

    private static string UnknownKey(string table, string name)
    {
        string? meant = NameSuggestion.Closest(name, ConfigSchema.KeysOf(table).Select(k => k.Name));
        if (meant is not null)
        {
            return $"unknown key '{table}.{name}' (did you mean '{meant}'?)";
        }
        // Right key, wrong table: point at where it lives.
        ConfigKey? elsewhere = ConfigSchema.Keys.FirstOrDefault(k => k.Name == name);
        return elsewhere is not null
            ? $"unknown key '{table}.{name}' (did you mean '{elsewhere.QualifiedName}'?)"
            : $"unknown key '{table}.{name}' — known keys in [{table}]: {string.Join(", ", ConfigSchema.KeysOf(table).Select(k => k.Name))}";
    }

    private static string UnknownRootKey(string name)
    {
        string? meant = NameSuggestion.Closest(name, ConfigSchema.Keys.Select(k => k.Name));
        return meant is not null
            ? $"unknown key '{name}' (did you mean '{ConfigSchema.Keys.First(k => k.Name == meant).QualifiedName}'?)"
            : $"unknown key '{name}' — keys belong in a table: {string.Join(", ", ConfigSchema.Tables.Select(t => $"[{t}]"))}";
    }

    private static List<string> Segments(KeySyntax? key)
    {
        List<string> segments = [];
        if (key is null)
        {
            return segments;
        }
        segments.Add(Segment(key.Key));
        foreach (DottedKeyItemSyntax dotted in key.DotKeys)
        {
            segments.Add(Segment(dotted.Key));
        }
        return segments;
    }

    private static string Segment(BareKeyOrStringValueSyntax? part) => part switch
    {
        BareKeySyntax bare => bare.Key?.Text ?? string.Empty,
        StringValueSyntax quoted => MonitorConfigFile.OneLine(quoted.Value ?? string.Empty),
        _ => string.Empty,
    };
}
