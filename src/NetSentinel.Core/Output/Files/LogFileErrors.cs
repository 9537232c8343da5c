using System.Runtime.InteropServices;
using NetSentinel.Core.Native;

namespace NetSentinel.Core.Output.Files;

/// <summary>
/// Turns a failed open/write/rename into one line that says what is wrong and what to do. The kind
/// of failure is read from the path itself (lstat), so the messages are the same on every OS.
/// </summary>
internal static class LogFileErrors
{
    private const string Advice = "choose another --log-file";

    public static LogFileException OpenFailed(string path, int errno, bool mustCreate)
    {
        string? problem = DescribeEntry(path, mustCreate);
        if (problem is not null)
        {
            return new LogFileException(path, problem);
        }

        if (errno == LibC.EACCES)
        {
            return new LogFileException(path, $"cannot write log '{path}': permission denied — run with the right to write there or {Advice}");
        }

        return new LogFileException(path, $"cannot write log '{path}': {Marshal.GetPInvokeErrorMessage(errno)} — {Advice}");
    }

    /// <summary>For a failure reported as an exception (the portable path, Windows).</summary>
    public static LogFileException OpenFailed(string path, Exception error, bool mustCreate)
    {
        string? problem = DescribeEntry(path, mustCreate);
        if (problem is not null)
        {
            return new LogFileException(path, problem, error);
        }

        if (error is UnauthorizedAccessException)
        {
            return new LogFileException(path, $"cannot write log '{path}': permission denied — run with the right to write there or {Advice}", error);
        }

        return new LogFileException(path, $"cannot write log '{path}': {OneLine(error.Message)} — {Advice}", error);
    }

    public static LogFileException WriteFailed(string path, string reason, bool diskFull = false) =>
        new(path, $"cannot write log '{path}': {OneLine(reason)}") { IsDiskFull = diskFull };

    public static LogFileException Refused(string path, string why) =>
        new(path, $"refusing to write log '{path}': {why}");

    public static LogFileException RotateFailed(string path, string from, string to, string reason) =>
        new(path, $"cannot rotate log '{path}' ('{from}' to '{to}'): {OneLine(reason)}");

    public static LogFileException SymbolicLink(string path) =>
        new(path, $"refusing to write log '{path}': it is a symbolic link — remove it or {Advice}");

    /// <summary>What is wrong with the entry at the path itself, or null when the entry looks fine.</summary>
    private static string? DescribeEntry(string path, bool mustCreate)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            return $"cannot write log '{path}': directory '{directory}' does not exist — create it or {Advice}";
        }

        FileSystemInfo entry = new FileInfo(path);
        if (entry.Exists || Directory.Exists(path) || entry.LinkTarget is not null)
        {
            if (entry.LinkTarget is not null || entry.Attributes.HasFlag(FileAttributes.ReparsePoint))
            {
                return SymbolicLink(path).Message;
            }

            if (Directory.Exists(path))
            {
                return $"cannot write log '{path}': it is a directory — {Advice}";
            }

            if (mustCreate)
            {
                return $"refusing to write log '{path}': a file appeared at the path while rotating — check who else writes there or {Advice}";
            }
        }

        return null;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
