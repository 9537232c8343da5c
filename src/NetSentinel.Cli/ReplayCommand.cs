using System.CommandLine;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Output;
using NetSentinel.Core.Replay;

namespace NetSentinel.Cli;

/// <summary>
/// <c>net-sentinel replay FILE</c>: re-runs the detectors, with the current configuration, over a log written with
/// --log-connections and prints the alerts that would fire (short lines, or JSON lines with --json). Nothing is
/// written to the log or the baseline state file. Bad lines are skipped and counted (the first few named on
/// stderr); with --strict the first one stops the replay. Exit 0 without alerts, 1 with, 2 for an unreadable
/// log, a bad config, or (--strict) a bad line.
/// </summary>
public static class ReplayCommand
{
    public static Command Define(TextWriter stdout, TextWriter stderr, Action<int> setExitCode)
    {
        var file = new Argument<string>("FILE") { Description = "A JSON Lines log written with --log-connections." };
        var config = new Option<string?>("--config", "-c") { Description = "Read configuration from this TOML file.", HelpName = "FILE" };
        var json = new Option<bool>("--json") { Description = "Print the alerts as JSON lines." };
        var strict = new Option<bool>("--strict") { Description = "Stop at the first bad line (exit 2) instead of skipping and counting it." };
        var command = new Command("replay", "Re-run the detectors over a --log-connections log and print the alerts that would fire.")
        {
            file, config, json, strict,
        };
        command.SetAction(parse => setExitCode(Run(parse.GetValue(file)!, parse.GetValue(config), parse.GetValue(json), stdout, stderr, parse.GetValue(strict))));
        return command;
    }

    public static int Run(string path, string? configFile, bool json, TextWriter stdout, TextWriter stderr, bool strict = false)
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
        var replay = new ConnectionLogReplay(config, output, blocklist, DetectionResources.LoadDomainBlocklist(config));
        string shown = TerminalText.Safe(path);
        try
        {
            using var log = InputFile.Open(path, "log");
            replay.Run(log, path, strict);
        }
        catch (ReplayException e)
        {
            throw CliFailure.Usage($"{TerminalText.Safe(e.Message)} (--strict: replay stopped after {replay.EventsReplayed} connection event(s); {replay.AlertsWritten} alert(s) would fire)");
        }
        catch (InputFileException e)
        {
            throw CliFailure.Usage(TerminalText.Safe(e.Message));
        }
        catch (IOException e)
        {
            throw CliFailure.Usage($"cannot read log '{shown}': {TerminalText.Safe(e.Message)}");
        }
        foreach (string problem in replay.Problems)
        {
            stderr.WriteLine($"net-sentinel: skipped {TerminalText.Safe(problem)}");
        }
        string skipped = replay.BadLines == 0
            ? string.Empty
            : $"; {replay.BadLines} bad line(s) skipped{(replay.BadLines > replay.Problems.Count ? $" (the first {replay.Problems.Count} named above)" : string.Empty)}";
        string dns = replay.DnsMessagesReplayed == 0 ? string.Empty : $" and {replay.DnsMessagesReplayed} DNS message(s)";
        stderr.WriteLine($"net-sentinel: replayed {replay.EventsReplayed} connection event(s){dns} from {shown}; {replay.AlertsWritten} alert(s) would fire{skipped}");
        return replay.AlertsWritten > 0 ? ExitCodes.AlertsFound : ExitCodes.Ok;
    }
}
