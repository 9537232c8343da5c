namespace NetSentinel.Core.Configuration;

/// <summary>baseline.mode: when new_destination alerts.</summary>
public enum BaselineMode
{
    /// <summary>Learn the first general.baseline_samples intervals, then alert on what is new (the original behaviour).</summary>
    LearnThenEnforce,
    /// <summary>Only learn: never alert new_destination, keep adding to the baseline.</summary>
    Learn,
    /// <summary>Alert from the first event on anything not in the (loaded) baseline; learn nothing new into it.</summary>
    Enforce,
}
