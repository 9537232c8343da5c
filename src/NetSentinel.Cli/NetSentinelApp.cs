using System.CommandLine;
using NetSentinel.Core.Configuration;

namespace NetSentinel.Cli;

/// <summary>Parses the command line, builds the effective configuration and runs the chosen command, mapping every failure to an exit code and one line.</summary>
public static class NetSentinelApp
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, Func<ISourceFactory> sources)
    {
        var definition = new CommandLineDefinition();
        int exitCode = ExitCodes.Ok;
        definition.Root.SetAction(parse => exitCode = Execute(definition.Read(parse), stdout, stderr, sources));
        definition.Root.Subcommands.Add(ReplayCommand.Define(stdout, stderr, code => exitCode = code));
        definition.Root.Subcommands.Add(SelfTest.SelfTestCommand.Define(stdout, stderr, code => exitCode = code));
        definition.Root.Subcommands.Add(SelfTest.SelfTestCommand.DefineScenario(stdout, stderr, code => exitCode = code));

        try
        {
            var parse = definition.Root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                stderr.WriteLine($"net-sentinel: {parse.Errors[0].Message} (see net-sentinel --help)");
                return ExitCodes.UsageError;
            }
            int actionCode = parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
            return actionCode != 0 ? actionCode : exitCode;
        }
        catch (CliFailure failure)
        {
            stderr.WriteLine($"net-sentinel: {failure.Message}");
            return failure.ExitCode;
        }
        catch (Exception unexpected) when (Environment.GetEnvironmentVariable("NETSENTINEL_DEBUG") != "1")
        {
            stderr.WriteLine($"net-sentinel: unexpected error: {unexpected.Message} (set NETSENTINEL_DEBUG=1 for details)");
            return ExitCodes.RuntimeError;
        }
        finally
        {
            stdout.Flush();
            stderr.Flush();
        }
    }

    private static int Execute(CliOptions options, TextWriter stdout, TextWriter stderr, Func<ISourceFactory> sources)
    {
        var config = options.ApplyTo(LoadConfig(options.ConfigFile));
        // Once more on the effective configuration (file and flags together), before anything is started or attached.
        if (MonitorConfigRules.FirstProblem(config) is { } problem) throw CliFailure.Usage(problem);

        if (options.PrintConfig)
        {
            stdout.Write(MonitorConfigToml.Write(config));
            return ExitCodes.Ok;
        }
        if (options.BaselineOnly && config.BaselineSamples < 1)
            throw CliFailure.Usage("--baseline-only needs general.baseline_samples of at least 1");

        return options.Once
            ? new SnapshotCommand(config, options, sources().CreateSnapshot(), stdout, stderr).Run()
            : new MonitorCommand(config, options, sources(), stdout, stderr).Run();
    }

    private static MonitorConfig LoadConfig(string? path)
    {
        if (path is null) return new MonitorConfig();
        try
        {
            return MonitorConfigFile.Load(path);
        }
        catch (ConfigException e)
        {
            throw CliFailure.Usage(e.Message);
        }
    }
}
