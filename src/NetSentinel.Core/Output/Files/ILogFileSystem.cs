namespace NetSentinel.Core.Output.Files;

/// <summary>The few file operations the JSONL sink needs, done without following symbolic links.</summary>
internal interface ILogFileSystem
{
    /// <summary>
    /// Opens <paramref name="path"/> for appending, creating it when missing, with the permissions the file
    /// system was made with (Unix; 0600 unless <c>[log] mode</c> and <c>group</c> say otherwise). With
    /// <paramref name="mustCreate"/>, a file already at the path is an error (it appeared during rotation).
    /// Throws <see cref="LogFileException"/>.
    /// </summary>
    IAppendFile OpenForAppend(string path, bool mustCreate);

    /// <summary>Renames the entry itself (a symbolic link is moved, not followed); a missing source is not an error.</summary>
    void Rename(string from, string to);

    /// <summary>What makes <paramref name="path"/> unusable as a rotation slot ("a directory"), or null when it is free or a file.</summary>
    string? Blocks(string path) => Directory.Exists(path) ? "a directory" : null;

    /// <summary>Removes the entry itself (a symbolic link, not its target); a missing entry is not an error.</summary>
    void Delete(string path);

    /// <param name="permissions">Who may read the log on Unix; Windows takes its access from the directory's ACL.</param>
    static ILogFileSystem ForCurrentPlatform(LogFilePermissions permissions) =>
        OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? new UnixLogFileSystem(permissions) : new PortableLogFileSystem();
}
