namespace NetSentinel.Core.Detection;

/// <summary>What loading the state file gave: the baseline to start from and, when something was odd, one line saying what.</summary>
public sealed record BaselineLoadResult(LearnedBaseline Baseline, string? Note);
