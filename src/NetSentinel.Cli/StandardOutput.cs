using System.Text;

namespace NetSentinel.Cli;

/// <summary>
/// The writer behind stdout. On Windows, Console.Out encodes in the console's code page (often 437 or
/// 1252), so a process named café.exe reached a file or pipe as the single byte 0xE9 and broke every
/// JSON reader; redirected output is therefore written as UTF-8 bytes (no BOM), like the log file.
/// An interactive Windows console keeps Console.Out, which shows what the console's code page can.
/// Linux's Console.Out already writes UTF-8.
/// </summary>
public static class StandardOutput
{
    public static TextWriter Open() =>
        OperatingSystem.IsWindows() && Console.IsOutputRedirected ? Utf8(Console.OpenStandardOutput()) : Console.Out;

    /// <summary>UTF-8 without a byte-order mark, flushed on every write as Console.Out is (alerts must not wait in a buffer).</summary>
    public static TextWriter Utf8(Stream stream) => new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = true };
}
