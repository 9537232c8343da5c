namespace NetSentinel.Core.Configuration;

/// <summary>
/// Rules that involve more than one key, checked once on the effective configuration (file, then flags) before
/// anything is started or attached. Each key's own bounds are checked where it is read (<see cref="ConfigSchema"/>
/// for the file, <c>CommandLineDefinition</c> for flags, with the same constants).
/// </summary>
public static class MonitorConfigRules
{
    /// <summary>The first rule the configuration breaks, as one line naming the keys, or null.</summary>
    public static string? FirstProblem(MonitorConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.BeaconMinConnections > config.BeaconHistory)
        {
            return $"beacon.min_connections ({config.BeaconMinConnections}) must be at most beacon.history ({config.BeaconHistory}): " +
                   "a series is scored from the connections the history keeps";
        }
        if (config.MetricsListen.Length > 0 && !config.MetricsAllowRemote
            && Metrics.MetricsEndpoint.TryParse(config.MetricsListen, out _) is { IsLocal: false })
        {
            return $"metrics.listen ({config.MetricsListen}) is reachable from other hosts and the endpoint has no authentication: " +
                   "listen on 127.0.0.1, [::1] or a Unix socket, or set metrics.allow_remote = true";
        }
        return null;
    }
}
