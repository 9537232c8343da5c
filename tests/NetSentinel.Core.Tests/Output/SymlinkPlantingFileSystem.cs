using NetSentinel.Core.Output.Files;

namespace NetSentinel.Core.Tests.Output;

/// <summary>
/// The real file system, except that right after the log is renamed away during rotation it plants a
/// symbolic link at the log path, as an attacker racing the rotation would.
/// </summary>
internal sealed class SymlinkPlantingFileSystem(string logPath, string linkTarget) : ILogFileSystem
{
    private readonly UnixLogFileSystem _real = new();

    public IAppendFile OpenForAppend(string path, bool mustCreate) => _real.OpenForAppend(path, mustCreate);

    public void Rename(string from, string to)
    {
        _real.Rename(from, to);
        if (from == logPath)
        {
            File.CreateSymbolicLink(logPath, linkTarget);
        }
    }

    public void Delete(string path) => _real.Delete(path);
}
