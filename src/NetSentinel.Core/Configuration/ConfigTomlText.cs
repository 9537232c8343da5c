using System.Globalization;
using Tomlyn.Helpers;
using Tomlyn.Model;

namespace NetSentinel.Core.Configuration;

/// <summary>TOML literals for the values <c>--print-config</c> writes, culture-free and re-readable.</summary>
internal static class ConfigTomlText
{
    /// <summary>Integral doubles print as integers (<c>5</c>, not <c>5.0</c>) — what people write by hand.</summary>
    public static string Number(double value) =>
        double.IsInteger(value) && Math.Abs(value) < 1e15
            ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : TomlFormatHelper.ToString(value);

    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Boolean(bool value) => value ? "true" : "false";

    public static string StringArray(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(String)) + "]";

    public static string IntegerArray(IEnumerable<int> values) =>
        "[" + string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";

    /// <summary>A basic string with quotes, backslashes and control characters escaped.</summary>
    public static string String(string value) => TomlFormatHelper.ToString(value, TomlPropertyDisplayKind.Default);
}
