using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using NetSentinel.Core.Configuration;
using NetSentinel.Core.Detection;
using NetSentinel.Core.Model;
using NetSentinel.Core.Output.Pipeline;
using NetSentinel.Linux.SelfTest;

namespace NetSentinel.Cli.SelfTest;

/// <summary>
/// <c>net-sentinel selftest</c>: does detection work here, with these thresholds? It makes a namespace test host
/// (answering for 198.51.100.x, 2001:db8::x and a /22 of 198.19.0.0/16), starts the live monitor with the configured
/// thresholds, runs the <see cref="ScenarioLibrary"/>'s attacks and look-alikes at once — each as a program of its own
/// (a hard link of this binary under the scenario's name), the "known servers" seeded into their baselines — stops the
/// monitor, and judges what it wrote (<see cref="SelfTestVerdict"/>). Exit 0 passed, 1 a check failed (the table says
/// which), 2 usage or configuration, 3 it could not run (not root, no `ip`, the monitor did not start).
/// Everything it made (namespace, veth, routes, programs, files) is removed at the end, whatever happened.
/// </summary>
public static class SelfTestCommand
{
    public const string ScenarioCommandName = "selftest-scenario";
    private static readonly TimeSpan MonitorStart = TimeSpan.FromSeconds(60);

    public static Command Define(TextWriter stdout, TextWriter stderr, Action<int> setExitCode)
    {
        var config = new Option<string?>("--config", "-c") { Description = "Read thresholds from this TOML file (the deployment's).", HelpName = "FILE" };
        var interval = new Option<double?>("--interval") { Description = "Aggregation interval in seconds (shorter makes the run quicker).", HelpName = "SECONDS" };
        var keep = new Option<bool>("--keep") { Description = "Keep the working directory (monitor config, alert log, baseline) and say where." };
        var command = new Command("selftest", "Run a library of attacks and benign look-alikes against namespace test hosts under the live monitor; print what fired.")
        {
            config, interval, keep,
        };
        command.SetAction(parse => setExitCode(Run(parse.GetValue(config), parse.GetValue(interval), parse.GetValue(keep), stdout, stderr)));
        return command;
    }

    /// <summary>The scenario programs' entry point: <c>&lt;scenario&gt; selftest-scenario ACTION key=value...</c> (not in --help).</summary>
    public static Command DefineScenario(TextWriter stdout, TextWriter stderr, Action<int> setExitCode)
    {
        var words = new Argument<string[]>("PLAN") { Description = "ACTION key=value ..." };
        var command = new Command(ScenarioCommandName, "Run one self-test scenario (the self-test starts these itself).") { words };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            ScenarioPlan plan;
            try
            {
                plan = ScenarioPlan.Parse(parse.GetValue(words) ?? []);
            }
            catch (FormatException e)
            {
                throw CliFailure.Usage($"{ScenarioCommandName}: {e.Message}");
            }
            setExitCode(ScenarioRunner.Run(plan, stdout, stderr));
        });
        return command;
    }

    public static int Run(string? configFile, double? interval, bool keep, TextWriter stdout, TextWriter stderr)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw CliFailure.Runtime("selftest runs on Linux only: it makes network namespaces for its test hosts");
        }
        var config = LoadConfig(configFile);
        if (interval is { } seconds)
        {
            if (!(seconds >= ConfigLimits.MinIntervalSeconds && seconds <= ConfigLimits.MaxIntervalSeconds))
            {
                throw CliFailure.Usage($"--interval must be a number of seconds from {ConfigLimits.MinIntervalSeconds} to {ConfigLimits.MaxIntervalSeconds}");
            }
            config = config with { IntervalSeconds = seconds };
        }
        if (MonitorConfigRules.FirstProblem(config) is { } problem)
        {
            throw CliFailure.Usage(problem);
        }
        if (!Environment.IsPrivilegedProcess)
        {
            throw CliFailure.Runtime("selftest needs root: it creates a network namespace and runs the eBPF monitor (run it with sudo)");
        }
        string self = Environment.ProcessPath ?? throw CliFailure.Runtime("selftest cannot find its own executable");

        var clock = Stopwatch.StartNew();
        // Ctrl-C or SIGTERM must not leave a namespace, routes or a monitor behind: every wait below ends on it,
        // and the finally block removes what was made.
        using var interrupt = new CancellationTokenSource();
        void Interrupt(PosixSignalContext context)
        {
            context.Cancel = true;
            interrupt.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        var work = Directory.CreateTempSubdirectory("net-sentinel-selftest-");
        NamespaceHost? host = null;
        ScenarioServers? servers = null;
        MonitorProcess? monitor = null;
        var running = new List<RunningScenario>();
        try
        {
            try
            {
                host = new NamespaceHost("nss");
            }
            catch (Win32Exception)
            {
                throw CliFailure.Runtime("selftest needs the `ip` command (Debian: apt-get install iproute2)");
            }
            catch (InvalidOperationException e)
            {
                throw CliFailure.Runtime($"selftest could not make its test host: {e.Message}");
            }
            var at = new SelfTestAddresses(host.HostV4, host.PeerV4, host.PeerV6, SelfTestAddresses.ThirdOctetFor(host.Slot));
            host.AnswerFor(at.Block);
            servers = new ScenarioServers(host, ScenarioLibrary.TcpPorts, ScenarioLibrary.UdpPorts);
            var scenarios = ScenarioLibrary.For(config, at, 40000 + host.Slot);
            var programs = ScenarioPrograms.Create(self, work.FullName, [.. scenarios.Select(s => s.Name)]);
            string configPath = WriteMonitorFiles(config, scenarios, programs, at, work.FullName);

            stderr.WriteLine($"selftest: test host {host.Namespace} ({at.PeerV4}, {at.PeerV6}, {at.Block}); {scenarios.Count} scenario programs in {work.FullName}");
            // Its programs' lines, by path and by the name the kernel gives them (a line whose path was not known).
            string[] mentions = [work.FullName, .. scenarios.Select(s => $"\"name\":\"{SelfTestVerdict.ProcessName(s.Name)}\"")];
            monitor = MonitorProcess.Start(self, configPath, mentions);
            if (!monitor.WaitReady(MonitorStart, interrupt.Token))
            {
                throw CliFailure.Runtime($"the monitor did not start within {MonitorStart.TotalSeconds:0} s: {string.Join(" | ", monitor.Notes)}");
            }
            foreach (string note in monitor.Notes)
            {
                stderr.WriteLine($"selftest: monitor: {note}");
            }

            TimeSpan longest = TimeSpan.Zero;
            foreach (var scenario in scenarios)
            {
                var planned = scenario.Plan.PlannedDuration();
                longest = planned > longest ? planned : longest;
                var plan = scenario.Plan with { TimeoutSeconds = Math.Ceiling(planned.TotalSeconds) + 120 };
                running.Add(RunningScenario.Start(scenario, programs[scenario.Name], plan));
            }
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"selftest: {scenarios.Count} scenarios running, the longest planned {longest.TotalSeconds:0} s"));
            AskTheUdpServer(host, running.Single(r => r.Scenario.Plan.Action == ScenarioAction.UdpServe), stderr);

            var problems = running.ToDictionary(r => r.Scenario.Name, r => r.Finish(longest + TimeSpan.FromSeconds(120), interrupt.Token));
            // Two intervals more, so interval detectors (send rate) see the last bytes; then the monitor closes every incident.
            if (interrupt.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds((2 * config.IntervalSeconds) + 1)))
            {
                throw new OperationCanceledException(interrupt.Token);
            }
            int? monitorExit = monitor.Stop(TimeSpan.FromSeconds(30));
            if (monitorExit is not 0)
            {
                throw CliFailure.Runtime($"the monitor ended with {(monitorExit is { } code ? $"exit {code}" : "no exit (killed)")}: {string.Join(" | ", monitor.Notes.TakeLast(3))}");
            }

            var (alerts, unreadable) = AlertLog.Read(Path.Combine(work.FullName, "alerts.jsonl"));
            var connections = AlertLog.ReadConnections(monitor.KeptLines);
            var verdict = new SelfTestVerdict([.. running.Select(r => ScenarioOutcome.Of(r.Scenario, r.Executable, alerts, problems[r.Scenario.Name]))]);
            verdict.WriteTable(stdout);
            foreach (var failed in running.Where(r => verdict.Outcomes.Any(o => o.Scenario == r.Scenario && o.Failure is not null)))
            {
                stdout.WriteLine($"selftest: {ScenarioEvidence.Describe(failed.Scenario.Name, failed.Executable, connections)}; the program said: {failed.Account}");
            }
            if (unreadable > 0)
            {
                stderr.WriteLine($"selftest: {unreadable} line(s) of the monitor's log were not JSON");
            }
            string summary = monitor.Notes.LastOrDefault(n => n.Contains("stopped;", StringComparison.Ordinal)) ?? string.Empty;
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"selftest: {(verdict.Passed && unreadable == 0 ? "passed" : "FAILED")} in {clock.Elapsed.TotalSeconds:0} s ({summary.Replace("net-sentinel: ", "monitor ", StringComparison.Ordinal)})"));
            return verdict.Passed && unreadable == 0 ? ExitCodes.Ok : ExitCodes.AlertsFound;
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            throw CliFailure.Runtime("selftest interrupted: its programs, monitor, test host and files are removed");
        }
        finally
        {
            foreach (var scenario in running)
            {
                scenario.Dispose();
            }
            monitor?.Dispose();
            servers?.Dispose();
            host?.Dispose();
            if (keep)
            {
                stderr.WriteLine($"selftest: kept {work.FullName}");
            }
            else if (Directory.Exists(work.FullName))
            {
                work.Delete(recursive: true);
            }
        }
    }

    /// <summary>
    /// The monitor's configuration: the deployment's thresholds, with the log, the baseline state file and the block
    /// list the self-test's own — the baseline seeded with the look-alikes' usual servers (mature: it enforces at
    /// once), the block list holding the drop site only. Returns the config file's path.
    /// </summary>
    private static string WriteMonitorFiles(MonitorConfig config, IReadOnlyList<Scenario> scenarios, IReadOnlyDictionary<string, string> programs,
        SelfTestAddresses at, string work)
    {
        var baseline = new LearnedBaseline(config.BaselineIPv4Prefix, config.BaselineIPv6Prefix) { SamplesSeen = config.BaselineSamples };
        foreach (var scenario in scenarios)
        {
            foreach (var (destination, transport) in scenario.Known)
            {
                int prefix = destination.AddressFamily == AddressFamily.InterNetwork ? baseline.IPv4Prefix : baseline.IPv6Prefix;
                baseline.Add(new BaselineEntry(programs[scenario.Name], NetworkPrefix.Mask(destination.Address, prefix), prefix, destination.Port, transport));
            }
        }
        string baselinePath = Path.Combine(work, "baseline.json");
        BaselineStateFile.Save(baselinePath, baseline);
        string blocklistPath = Path.Combine(work, "blocklist.txt");
        File.WriteAllText(blocklistPath, $"# the self-test's drop site\n{ScenarioLibrary.DropSite(at).Address}/32\n");
        var monitorConfig = config with
        {
            LogFile = Path.Combine(work, "alerts.jsonl"),
            // Connection lines go to stdout only (--json), where the programs' own are kept to explain a failed scenario;
            // the file keeps the alerts, which a busy host's connections would otherwise rotate away.
            LogConnections = true,
            LogLines = OutputLines.Alerts,
            StdoutLines = OutputLines.All,
            BaselineStateFile = baselinePath,
            BlocklistFile = blocklistPath,
        };
        string configPath = Path.Combine(work, "monitor.toml");
        File.WriteAllText(configPath, MonitorConfigToml.Write(monitorConfig));
        return configPath;
    }

    /// <summary>The UDP server scenario's clients write from the test host once the server is bound.</summary>
    private static void AskTheUdpServer(NamespaceHost host, RunningScenario server, TextWriter stderr)
    {
        if (!server.WaitReady(TimeSpan.FromSeconds(30)))
        {
            return; // its Finish says why
        }
        int answered = ScenarioServers.AskFromTestHost(host, server.Scenario.Plan.Targets[0], ScenarioLibrary.UdpServerClients);
        if (answered < ScenarioLibrary.UdpServerClients)
        {
            stderr.WriteLine($"selftest: the UDP server answered {answered} of {ScenarioLibrary.UdpServerClients} clients");
        }
    }

    private static MonitorConfig LoadConfig(string? path)
    {
        if (path is null)
        {
            return new MonitorConfig();
        }
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
