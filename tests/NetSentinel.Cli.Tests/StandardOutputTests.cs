namespace NetSentinel.Cli.Tests;

/// <summary>The Windows stdout path's encoding (the Wine smoke test checks the real executable's bytes).</summary>
public sealed class StandardOutputTests
{
    [Fact]
    public void NonAsciiNamesLeaveAsUtf8BytesWithoutByteOrderMark()
    {
        using var bytes = new MemoryStream();
        var writer = StandardOutput.Utf8(bytes);

        writer.Write("{\"name\":\"café.exe\"}");

        // Flushed without an explicit Flush: a monitor's alert lines must not sit in a buffer.
        Assert.Equal("{\"name\":\"caf"u8.ToArray().Concat(new byte[] { 0xC3, 0xA9 }).Concat(".exe\"}"u8.ToArray()), bytes.ToArray());
    }
}
