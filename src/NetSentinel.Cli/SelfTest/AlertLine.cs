using NetSentinel.Core.Output;

namespace NetSentinel.Cli.SelfTest;

/// <summary>What the self-test needs of one alert line of the monitor's log: the rule, how bad, whose, and the incident phase.</summary>
public sealed record AlertLine(string Rule, Severity Severity, int Pid, string? Executable, string? ProcessName, string? Phase);
