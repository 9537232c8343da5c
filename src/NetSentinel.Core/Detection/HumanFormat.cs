using System.Globalization;

namespace NetSentinel.Core.Detection;

/// <summary>Figures as a person reads them in an alert message (decimal units, like the thresholds in the config).</summary>
public static class HumanFormat
{
    public static string BytesPerSecond(double bytesPerSecond) => Bytes(bytesPerSecond) + "/s";

    public static string Bytes(double bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB"];
        var value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{value:0} {units[unit]}")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }

    public static string Duration(TimeSpan duration)
    {
        if (duration > TimeSpan.Zero && duration.TotalSeconds < 0.1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0.#} ms"); // a sweep can take 2 ms: "0 s" would hide it
        }
        if (duration.TotalSeconds < 60)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.##} s");
        }
        if (duration.TotalHours < 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{duration.Minutes} min {duration.Seconds} s");
        }
        return string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalHours} h {duration.Minutes} min");
    }
}
