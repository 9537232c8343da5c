using System.Net;
using NetSentinel.Core.Model;

namespace NetSentinel.Cli.SelfTest;

/// <summary>
/// One program of the self-test's library: an attack (it must raise <see cref="ExpectedRule"/> at medium or higher) or
/// a benign look-alike of one (it must raise nothing above low).
/// </summary>
/// <param name="Name">The program's file name (and so its process name: at most 15 characters).</param>
/// <param name="What">One line for the table's reader.</param>
/// <param name="Known">Destinations seeded into the program's baseline before the monitor starts: its usual servers.</param>
/// <param name="Sweep">A sweep, which must write at most <see cref="SelfTestVerdict.MaxSweepLines"/> alert lines.</param>
public sealed record Scenario(string Name, string What, string? ExpectedRule, string? LookAlikeOf, ScenarioPlan Plan,
    IReadOnlyList<(IPEndPoint Destination, Transport Transport)> Known, bool Sweep = false)
{
    public bool IsAttack => ExpectedRule is not null;
}
