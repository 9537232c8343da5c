using System.Net;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Detection;

/// <summary>
/// Keeps a standing condition from alerting every interval: an alert with the same rule, program, pid and
/// destination (and queried name, for alerts about a DNS query) fires again only once the cooldown has passed since it last fired.
/// Memory is bounded by the keys that fired within one cooldown; older ones are purged.
/// </summary>
public sealed class AlertThrottle(TimeSpan cooldown)
{
    private readonly record struct AlertKey(string Rule, string ProgramKey, int Pid, Transport? Transport, IPEndPoint? Remote, string? QueriedName);

    private readonly Dictionary<AlertKey, DateTimeOffset> _lastFired = [];

    /// <summary>Keys currently remembered.</summary>
    public int Count => _lastFired.Count;

    /// <summary>True when the alert may be written now; it is then remembered as fired at <paramref name="now"/>.</summary>
    public bool TryFire(AlertRecord alert, DateTimeOffset now)
    {
        var key = new AlertKey(alert.Rule, alert.Process.ProgramKey, alert.Process.Pid, alert.Transport, alert.Remote, alert.QueriedName);
        if (_lastFired.TryGetValue(key, out var last) && now - last < cooldown)
        {
            return false;
        }
        _lastFired[key] = now;
        return true;
    }

    /// <summary>Forgets keys whose cooldown has passed: they would fire anyway, so remembering them costs memory for nothing.</summary>
    public void Purge(DateTimeOffset now)
    {
        List<AlertKey>? expired = null;
        foreach (var (key, last) in _lastFired)
        {
            if (now - last >= cooldown)
            {
                (expired ??= []).Add(key);
            }
        }
        if (expired is not null)
        {
            foreach (var key in expired)
            {
                _lastFired.Remove(key);
            }
        }
    }
}
