using System.Text;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace NetSentinel.Core.Configuration;

/// <summary>
/// Reads the TOML configuration file onto the defaults of <see cref="MonitorConfig"/>.
/// Works on Tomlyn's syntax tree (no reflection mapping, NativeAOT-safe), which also gives every
/// key its line for error messages. Any problem throws <see cref="ConfigException"/> with one line:
/// <c>file:line: problem</c>, plus <c>(and N more)</c> when the file has several.
/// </summary>
public static class MonitorConfigFile
{
    /// <summary>A configuration is a few hundred bytes; the cap stops <c>-c /dev/zero</c> from eating memory.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads and applies the file at <paramref name="path"/>.</summary>
    /// <exception cref="ConfigException">The file cannot be read, is not TOML, or holds a bad key or value.</exception>
    public static MonitorConfig Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(ReadText(path), path);
    }

    /// <summary>Applies the TOML <paramref name="text"/>; <paramref name="path"/> only names the file in messages.</summary>
    /// <exception cref="ConfigException">The text is not TOML or holds a bad key or value.</exception>
    public static MonitorConfig Parse(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(path);

        DocumentSyntax document;
        try
        {
            document = SyntaxParser.Parse(text, path, validate: true);
        }
        catch (Tomlyn.TomlException ex)
        {
            // Tomlyn refuses nesting deeper than 64 by throwing rather than with a diagnostic; say it our way.
            throw new ConfigException($"{OneLine(path)}: invalid TOML: {(ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase) ? "nested more than 64 levels deep (a net-sentinel configuration needs 2)" : OneLine(ex.Message))}", path, null, ex);
        }
        var syntaxErrors = document.Diagnostics.Where(d => d.Kind == DiagnosticMessageKind.Error).ToList();
        if (syntaxErrors.Count > 0)
        {
            // The tree after a syntax error is a guess; report the parser's first finding only.
            DiagnosticMessage first = syntaxErrors[0];
            throw Located(path, first.Span.Start.Line + 1,
                $"invalid TOML: {OneLine(first.Message)} (column {first.Span.Start.Column + 1})", syntaxErrors.Count - 1);
        }

        var reader = new ConfigDocumentReader();
        MonitorConfig config = reader.Apply(document, new MonitorConfig());
        if (reader.Problems.Count > 0)
        {
            var (line, message) = reader.Problems[0];
            throw Located(path, line, message, reader.Problems.Count - 1);
        }
        if (MonitorConfigRules.FirstProblem(config) is { } problem)
        {
            throw new ConfigException($"{OneLine(path)}: {problem}", path, null);
        }
        return config;
    }

    private static string ReadText(string path)
    {
        try
        {
            // A regular file only, opened without waiting and read through a bound: -c on a FIFO or /dev/zero
            // is one line at once, not a hang or a swollen process.
            return StrictUtf8.GetString(InputFile.ReadAll(path, "config file", MaxFileBytes));
        }
        catch (InputFileException ex)
        {
            throw new ConfigException(ex.Message, path, null, ex);
        }
        catch (DecoderFallbackException ex)
        {
            throw Unreadable(path, "not UTF-8 text — TOML files must be UTF-8", ex);
        }
    }

    private static ConfigException Unreadable(string path, string why, Exception? inner = null) =>
        new($"cannot read config file '{OneLine(path)}': {why}", path, null, inner);

    private static ConfigException Located(string path, int line, string message, int more) =>
        new($"{OneLine(path)}:{line}: {message}{(more > 0 ? $" (and {more} more)" : string.Empty)}", path, line);

    /// <summary>Messages must stay on one line whatever a path or parser text contains.</summary>
    internal static string OneLine(string text)
    {
        var line = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            line.Append(char.IsControl(c) ? ' ' : c);
        }
        return line.ToString().Trim();
    }
}
