using System.CommandLine;
using System.CommandLine.Invocation;

namespace NetSentinel.Cli;

/// <summary>Replaces System.CommandLine's version output (the bare informational version) with <see cref="VersionText"/>.</summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(VersionText.Describe(typeof(VersionAction).Assembly));
        return ExitCodes.Ok;
    }
}
