namespace NetSentinel.Core.Output.Pipeline;

/// <summary>Which lines an output receives.</summary>
public enum OutputLines
{
    /// <summary>Alerts and the monitor's own notices (events lost, output lines dropped); no connection lines.</summary>
    Alerts,

    /// <summary>Everything the monitor logs: with log_connections that includes every connection line.</summary>
    All,
}
