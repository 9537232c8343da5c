namespace NetSentinel.Core.Configuration;

/// <summary>beacon.known_destinations: what periodic traffic to a destination in the program's learned baseline raises.</summary>
public enum KnownDestinationSeverity : byte
{
    /// <summary>A low-severity beacon alert: visible, but not what an analyst triages first (the default).</summary>
    Low,
    /// <summary>Nothing: a program's own heartbeat to its usual server is not an alert at all.</summary>
    Ignore,
    /// <summary>A medium-severity alert, as for a destination new to the program.</summary>
    Alert,
}
