using System.Text;
using System.Text.Json;

namespace NetSentinel.Core.Tests.Output;

/// <summary>Checks that bytes are exactly one JSON line and gives back the parsed object.</summary>
internal static class JsonLine
{
    public static JsonDocument ParseSingle(byte[] bytes)
    {
        Assert.NotEmpty(bytes);
        Assert.Equal((byte)'\n', bytes[^1]);
        Assert.Equal(1, bytes.Count(b => b == (byte)'\n'));
        Assert.DoesNotContain((byte)'\r', bytes);
        // Strict UTF-8: throws on any invalid sequence.
        _ = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        var document = JsonDocument.Parse(bytes.AsMemory(0, bytes.Length - 1));
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        return document;
    }

    public static JsonElement At(this JsonElement element, string dottedPath)
    {
        foreach (string part in dottedPath.Split('.'))
        {
            element = element.GetProperty(part);
        }

        return element;
    }

    public static bool Has(this JsonElement element, string dottedPath)
    {
        foreach (string part in dottedPath.Split('.'))
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element))
            {
                return false;
            }
        }

        return true;
    }
}
