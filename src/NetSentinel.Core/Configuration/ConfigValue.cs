using System.Globalization;
using Tomlyn.Helpers;
using Tomlyn.Model;
using Tomlyn.Syntax;

namespace NetSentinel.Core.Configuration;

/// <summary>
/// The value written for one known key, with typed readers that enforce the key's type and range.
/// A reader throws <see cref="ConfigValueException"/> naming the key and quoting what was written.
/// </summary>
internal sealed class ConfigValue(string qualifiedKey, ValueSyntax node)
{
    /// <summary>Longest quoted string in a message; config values are short, a pasted blob is not worth echoing.</summary>
    private const int MaxQuotedLength = 60;

    public string QualifiedKey { get; } = qualifiedKey;

    /// <summary>A number (integer or float), finite, within the bounds.</summary>
    public double ReadNumber(double min, bool minExclusive, double max)
    {
        double value = node switch
        {
            IntegerValueSyntax integer => integer.Value,
            FloatValueSyntax number => number.Value,
            _ => throw Problem($"must be a number (got {Describe()})"),
        };
        if (!double.IsFinite(value))
        {
            throw Problem($"must be a finite number (got {Literal()})");
        }
        if (minExclusive ? value <= min : value < min)
        {
            throw Problem(minExclusive
                ? $"must be greater than {Format(min)} (got {Literal()})"
                : $"must be at least {Format(min)} (got {Literal()})");
        }
        if (value > max)
        {
            throw Problem($"must be at most {Format(max)} (got {Literal()})");
        }
        return value;
    }

    /// <summary>An integer within the bounds; a float with an integral value (2e6, 40.0) counts as one.</summary>
    public long ReadInteger(long min, long max)
    {
        long value;
        switch (node)
        {
            case IntegerValueSyntax integer:
                value = integer.Value;
                break;
            // 2^63 is exactly representable while long.MaxValue is not, hence the strict upper test.
            case FloatValueSyntax number when double.IsInteger(number.Value)
                                              && number.Value >= long.MinValue && number.Value < 9223372036854775808.0:
                value = (long)number.Value;
                break;
            default:
                throw Problem($"must be an integer (got {Describe()})");
        }
        if (value < min)
        {
            throw Problem($"must be at least {Format(min)} (got {Literal()})");
        }
        if (value > max)
        {
            throw Problem($"must be at most {Format(max)} (got {Literal()})");
        }
        return value;
    }

    public bool ReadBoolean() =>
        node is BooleanValueSyntax boolean
            ? boolean.Value
            : throw Problem($"must be true or false (got {Describe()})");

    /// <summary>A non-empty string without NUL, which no file path can hold.</summary>
    public string ReadPath()
    {
        string value = node is StringValueSyntax text && text.Value is not null
            ? text.Value
            : throw Problem($"must be a string (got {Describe()})");
        if (value.Length == 0)
        {
            throw Problem("must not be empty — give a file path");
        }
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw Problem("must not contain a NUL character");
        }
        return value;
    }

    /// <summary>A path that may be empty (empty = the feature is off); no NUL.</summary>
    public string ReadOptionalPath()
    {
        string value = node is StringValueSyntax text && text.Value is not null
            ? text.Value
            : throw Problem($"must be a string (got {Describe()})");
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw Problem("must not contain a NUL character");
        }
        return value;
    }

    /// <summary>A string checked by <paramref name="check"/> (null = fine, else what is wrong, quoted back with the value).</summary>
    public string ReadString(Func<string, string?> check)
    {
        string value = node is StringValueSyntax text && text.Value is not null
            ? text.Value
            : throw Problem($"must be a string (got {Describe()})");
        return check(value) is { } problem ? throw Problem($"{problem} (got {Literal()})") : value;
    }

    /// <summary>An array of strings, each checked by <paramref name="check"/> (null = fine, else the problem with that item).</summary>
    public ValueList<string> ReadStringList(Func<string, string?> check)
    {
        if (node is not ArraySyntax array)
        {
            throw Problem($"must be an array of strings (got {Describe()})");
        }
        var items = new List<string>();
        foreach (ArrayItemSyntax item in array.Items)
        {
            if (item.Value is not StringValueSyntax text || text.Value is null)
            {
                throw Problem($"must be an array of strings (item {items.Count + 1} is {(item.Value is null ? "missing" : new ConfigValue(QualifiedKey, item.Value).Describe())})");
            }
            if (check(text.Value) is { } problem)
            {
                throw Problem($"item {items.Count + 1}: {problem}");
            }
            items.Add(text.Value);
        }
        return new ValueList<string>(items);
    }

    /// <summary>An array of integers within the bounds.</summary>
    public ValueList<int> ReadIntegerList(int min, int max)
    {
        if (node is not ArraySyntax array)
        {
            throw Problem($"must be an array of integers (got {Describe()})");
        }
        var items = new List<int>();
        foreach (ArrayItemSyntax item in array.Items)
        {
            if (item.Value is not IntegerValueSyntax integer)
            {
                throw Problem($"must be an array of integers (item {items.Count + 1} is {(item.Value is null ? "missing" : new ConfigValue(QualifiedKey, item.Value).Describe())})");
            }
            if (integer.Value < min || integer.Value > max)
            {
                throw Problem($"item {items.Count + 1} must be from {min} to {max} (got {integer.Token?.Text ?? Format(integer.Value)})");
            }
            items.Add((int)integer.Value);
        }
        return new ValueList<int>(items);
    }

    /// <summary>One of the listed words, matched exactly (the file is lowercase like <c>--print-config</c> writes it).</summary>
    public T ReadChoice<T>(IReadOnlyList<KeyValuePair<string, T>> choices)
    {
        if (node is StringValueSyntax text)
        {
            foreach (var choice in choices)
            {
                if (string.Equals(choice.Key, text.Value, StringComparison.Ordinal))
                {
                    return choice.Value;
                }
            }
        }
        string allowed = string.Join(", ", choices.Select(choice => $"\"{choice.Key}\""));
        throw Problem(node is StringValueSyntax
            ? $"must be one of {allowed} (got {Literal()})"
            : $"must be one of {allowed} (got {Describe()})");
    }

    private ConfigValueException Problem(string what) => new($"{QualifiedKey} {what}");

    /// <summary>The TOML type and, for scalars, the value: <c>string "x"</c>, <c>float 2.5</c>, <c>table</c>.</summary>
    public string Describe() => node switch
    {
        IntegerValueSyntax => $"integer {Literal()}",
        FloatValueSyntax => $"float {Literal()}",
        BooleanValueSyntax => $"boolean {Literal()}",
        StringValueSyntax => $"string {Literal()}",
        DateTimeValueSyntax => $"date-time {Literal()}",
        InlineTableSyntax => "table",
        ArraySyntax => "array",
        _ => "an unsupported value",
    };

    /// <summary>
    /// The value as the user wrote it (<c>1_000</c>, <c>-inf</c>), except strings, which are re-escaped
    /// so that a multi-line string still yields a one-line message.
    /// </summary>
    private string Literal() => node switch
    {
        StringValueSyntax text => Quote(text.Value ?? string.Empty),
        IntegerValueSyntax integer => integer.Token?.Text ?? Format(integer.Value),
        FloatValueSyntax number => number.Token?.Text ?? Format(number.Value),
        BooleanValueSyntax boolean => boolean.Value ? "true" : "false",
        DateTimeValueSyntax date => date.Token?.Text ?? "?",
        _ => Describe(),
    };

    private static string Quote(string text) =>
        text.Length <= MaxQuotedLength
            ? TomlFormatHelper.ToString(text, TomlPropertyDisplayKind.Default)
            : TomlFormatHelper.ToString(text[..MaxQuotedLength], TomlPropertyDisplayKind.Default) + "…";

    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    internal static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
