namespace NetSentinel.Core.Output.Files;

/// <summary>
/// Log file operations through .NET's file API, for Windows. There is no O_NOFOLLOW here, so a
/// reparse point (symbolic link, junction) at the path is refused by a check before the open; on
/// Windows creating symbolic links needs a privilege ordinary users lack, which narrows that window.
/// </summary>
internal sealed class PortableLogFileSystem : ILogFileSystem
{
    public IAppendFile OpenForAppend(string path, bool mustCreate)
    {
        var entry = new FileInfo(path);
        if (entry.LinkTarget is not null || (entry.Exists && entry.Attributes.HasFlag(FileAttributes.ReparsePoint)))
        {
            throw LogFileErrors.SymbolicLink(path);
        }

        try
        {
            var options = new FileStreamOptions
            {
                Mode = mustCreate ? FileMode.CreateNew : FileMode.Append,
                Access = FileAccess.Write,
                Share = FileShare.Read | FileShare.Delete,
                BufferSize = 0,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            return new StreamAppendFile(path, new FileStream(path, options));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw LogFileErrors.OpenFailed(path, e, mustCreate);
        }
    }

    public void Rename(string from, string to)
    {
        try
        {
            if (File.Exists(from) || new FileInfo(from).LinkTarget is not null)
            {
                File.Move(from, to, overwrite: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw LogFileErrors.RotateFailed(from, from, to, e.Message);
        }
    }

    public void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw LogFileErrors.RotateFailed(path, path, "(deleted)", e.Message);
        }
    }
}
