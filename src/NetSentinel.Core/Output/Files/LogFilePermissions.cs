namespace NetSentinel.Core.Output.Files;

/// <summary>
/// Who may read the log (<c>[log] mode</c> and <c>group</c>): its permission bits, set exactly (fchmod, so the
/// umask cannot narrow them, nor a hand-made change widen them for long), and the group it is given. The owner
/// always reads and writes; group and others may at most read, so nobody but the monitor alters the record.
/// </summary>
/// <param name="Mode">Permission bits, e.g. 0640.</param>
/// <param name="GroupName">The group the file is given ("" = the group it was created with, the monitor's own).</param>
/// <param name="GroupId">The gid of <paramref name="GroupName"/>; null leaves the group as created.</param>
public readonly record struct LogFilePermissions(int Mode, string GroupName, uint? GroupId)
{
    /// <summary>0600: the owner alone, as before <c>[log] mode</c> existed.</summary>
    public const int PrivateMode = 0b110_000_000;

    /// <summary>The only bits a log may have: owner read/write, group read, others read.</summary>
    private const int AllowedBits = 0b110_100_100;

    public static LogFilePermissions Private { get; } = new(PrivateMode, string.Empty, null);

    /// <summary>"0640".</summary>
    public static string FormatMode(int mode) => "0" + Convert.ToString(mode, 8).PadLeft(3, '0');

    /// <summary>An octal mode written as text ("0640", "640"), or null when it is not one a log may have (<see cref="CheckMode"/> says why).</summary>
    public static int? ParseMode(string text)
    {
        if (text.Length is < 3 or > 4 || !text.All(c => c is >= '0' and <= '7'))
        {
            return null;
        }
        int mode = Convert.ToInt32(text, 8);
        return (mode & PrivateMode) == PrivateMode && (mode & ~AllowedBits) == 0 ? mode : null;
    }

    /// <summary>What is wrong with <paramref name="text"/> as <c>[log] mode</c>, or null when it is fine.</summary>
    public static string? CheckMode(string text) =>
        ParseMode(text) is not null ? null
        : "must be an octal mode in which the owner reads and writes and group and others may at most read: \"0600\", \"0640\" or \"0644\"";

    /// <summary>What is wrong with <paramref name="name"/> as <c>[log] group</c> on this machine, or null when it is fine ("" included).</summary>
    public static string? CheckGroup(string name) =>
        name.Length == 0 ? null
        : !UnixGroup.IsSupported ? "is for Linux and macOS only (on Windows the log's readers come from its directory's ACL); leave it out"
        : UnixGroup.Find(name) is null ? $"names a group that does not exist on this machine — create it (groupadd --system {Shell(name)}) or leave [log] group out"
        : null;

    /// <summary>The permissions for a mode and a group name, the gid looked up now.</summary>
    /// <exception cref="LogFileException">The group does not exist (any more).</exception>
    public static LogFilePermissions Resolve(string path, int mode, string groupName)
    {
        if (groupName.Length == 0)
        {
            return new LogFilePermissions(mode, groupName, null);
        }
        uint? gid = UnixGroup.Find(groupName)
            ?? throw LogFileErrors.Refused(path, $"[log] group '{groupName}' does not exist on this machine — create it or leave [log] group out");
        return new LogFilePermissions(mode, groupName, gid);
    }

    private static string Shell(string name) => name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? name : "NAME";
}
