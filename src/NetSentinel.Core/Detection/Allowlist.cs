using NetSentinel.Core.Configuration;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Detection;

/// <summary>
/// The [allowlist]: destinations, ports and executables whose connections no detector sees. The block list is
/// checked before it (see <see cref="BlocklistDetector"/>): naming a destination as bad outranks trusting a program.
/// </summary>
public sealed class Allowlist
{
    private readonly AddressSet _destinations;
    private readonly HashSet<int> _ports;
    private readonly HashSet<string> _executables;

    public Allowlist(MonitorConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var prefixes = new List<NetworkPrefix>();
        foreach (string text in config.AllowDestinations)
        {
            if (NetworkPrefix.TryParse(text, out NetworkPrefix prefix, out _))
            {
                prefixes.Add(prefix); // the config reader rejected anything else
            }
        }
        _destinations = new AddressSet(prefixes);
        _ports = [.. config.AllowPorts];
        _executables = new HashSet<string>(config.AllowExecutables, StringComparer.Ordinal);
        IsEmpty = _destinations.Count == 0 && _ports.Count == 0 && _executables.Count == 0;
    }

    /// <summary>Nothing is allowed (worked out once: it is asked for every event).</summary>
    public bool IsEmpty { get; }

    public bool Allows(ConnectionEvent connectionEvent)
    {
        if (IsEmpty)
        {
            return false;
        }
        ProcessInfo process = connectionEvent.Process;
        return _ports.Contains(connectionEvent.Remote.Port)
               || _destinations.Contains(connectionEvent.Remote.Address)
               || (!process.ExecutableTruncated && MatchesExecutable(process));
    }

    /// <summary>
    /// A truncated executable path is only part of the real one (…/chronyd/x cut to …/chronyd, or only its last
    /// components): matching it, or the name of the process running it, by name would let any long path pose as an
    /// allow-listed program.
    /// </summary>
    private bool MatchesExecutable(ProcessInfo process)
    {
        return _executables.Contains(process.Name)
               || (process.Executable is { } path && (_executables.Contains(path) || _executables.Contains(Path.GetFileName(path))));
    }
}
