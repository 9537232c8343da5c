using System.CommandLine;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Output;
using NetSentinel.Core.Replay;

namespace NetSentinel.Cli;

/// <summary>
/// <c>net-sentinel replay FILE</c>: re-runs the detectors, with the current configuration, over a log written with
/// --log-connections and prints the alerts that would fire (short lines, or JSON lines with --json). Nothing is
/// written to the log or the baseline state file. Exit 0 without alerts, 1 with, 2 for a bad line or config.
/// </summary>
public static class ReplayCommand
{
    public static Command Define(TextWriter stdout, TextWriter stderr, Action<int> setExitCode)
    {
        var file = new Argument<string>("FILE") { Description = "A JSON Lines log written with --log-connections." };
        var config = new Option<string?>("--config", "-c") { Description = "Read configuration from this TOML file.", HelpName = "FILE" };
        var json = new Option<bool>("--json") { Description = "Print the alerts as JSON lines." };
        var command = new Command("replay", "Re-run the detectors over a --log-connections log and print the alerts that would fire.")
        {
            file, config, json,
        };
        command.SetAction(parse => setExitCode(Run(parse.GetValue(file)!, parse.GetValue(config), parse.GetValue(json), stdout, stderr)));
        return command;
    }

    public static int Run(string path, string? configFile, bool json, TextWriter stdout, TextWriter stderr)
    {
        MonitorConfig config;
        try
        {
            config = configFile is null ? new MonitorConfig() : MonitorConfigFile.Load(configFile);
        }
        catch (ConfigException e)
        {
            throw CliFailure.Usage(e.Message);
        }
        var blocklist = DetectionResources.LoadBlocklist(config);
        IRecordSink output = json ? new JsonlStreamSink(stdout) : new ConsoleRecordSink(stdout);
        var replay = new ConnectionLogReplay(config, output, blocklist);
        try
        {
            using var reader = new StreamReader(path);
            replay.Run(reader, path);
        }
        catch (ReplayException e)
        {
            throw CliFailure.Usage(e.Message);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw CliFailure.Usage($"cannot read log '{TerminalText.Safe(path)}': file not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliFailure.Usage($"cannot read log '{TerminalText.Safe(path)}': {e.Message}");
        }
        stderr.WriteLine($"net-sentinel: replayed {replay.EventsReplayed} connection event(s) from {TerminalText.Safe(path)}; {replay.AlertsWritten} alert(s) would fire");
        return replay.AlertsWritten > 0 ? ExitCodes.AlertsFound : ExitCodes.Ok;
    }
}
