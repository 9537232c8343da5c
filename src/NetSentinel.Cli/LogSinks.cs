using NetSentinel.Core.Configuration;
using NetSentinel.Core.Output;
using NetSentinel.Core.Output.Files;
using NetSentinel.Core.Output.Pipeline;
using NetSentinel.Core.Output.Syslog;
using NetSentinel.Core.Sources;

namespace NetSentinel.Cli;

/// <summary>
/// Builds the monitor's outputs from the configuration: the rotated file, the console and syslog, each behind
/// a queue of its own (see <see cref="OutputPipeline"/>), turning a refused log path into a runtime
/// failure with its one-line reason.
/// </summary>
public static class LogSinks
{
    /// <summary>
    /// Most bytes queued for the file: ~400 connection lines of ~2.6 KB; its thread writes each half as it fills. A
    /// queue is not where a storm waits for the disk: when it is full the monitor waits (an alert as long as it
    /// takes, a connection line while the kernel's ring buffer holds the events, see <see cref="QueuedOutput.SourceHasRoom"/>),
    /// and the ring buffer holds a storm in ~140-byte records rather than ~2.6 KB lines. 4 MiB (two buffers of it) was
    /// most of the ~10 MB the monitor's RSS grew by with every connection logged (issue #15).
    /// </summary>
    public const int FileQueueBytes = 1024 * 1024;

    /// <summary>
    /// Most bytes queued for the console or syslog: a reader that stops costs at most this much memory. Connection
    /// lines may take three quarters of it (~1,200 lines of ~2.6 KB); 1 MiB dropped lines of a 200-connect burst
    /// to a UDP syslog receiver that kept up.
    /// </summary>
    public const int StreamQueueBytes = 4 * 1024 * 1024;

    /// <param name="report">Receives one-line notes about the log file itself (repaired, reopened, disk full, rotation slot skipped).</param>
    public static JsonlFileSink OpenFile(MonitorConfig config, Action<string>? report = null)
    {
        try
        {
            return new JsonlFileSink(config.LogFile, maxBytes: config.LogMaxSizeBytes, maxFiles: config.LogMaxFiles,
                diskFullAction: config.LogDiskFullAction, report: report,
                permissions: LogFilePermissions.Resolve(config.LogFile, config.LogMode, config.LogGroup));
        }
        catch (LogFileException e)
        {
            throw CliFailure.Runtime(e.Message);
        }
    }

    /// <summary>
    /// <c>[stdout] lines</c>, with "auto" decided: every line for a person at a terminal or for --json (asked for
    /// machine lines on stdout), alerts only for a service's journal or a pipe, which the file already gives every line.
    /// </summary>
    public static OutputLines StdoutLines(MonitorConfig config, bool json, TextWriter stdout) =>
        config.StdoutLines ?? (json || (ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected) ? OutputLines.All : OutputLines.Alerts);

    /// <param name="log">The file from <see cref="OpenFile"/>; the pipeline closes it when it is disposed.</param>
    /// <param name="json">--json: the console gets the JSON lines; otherwise the short human lines.</param>
    /// <param name="report">Where an output says it started or stopped failing (stderr).</param>
    /// <param name="backlog">The source's kernel queue, when it has one: the file's per-event lines wait longer while it has room.</param>
    public static OutputPipeline Open(MonitorConfig config, JsonlFileSink log, bool json, TextWriter stdout, Action<string> report, ISourceBacklog? backlog = null)
    {
        var formatter = new EcsJsonFormatter();
        var outputs = new List<QueuedOutput>();
        try
        {
            outputs.Add(new QueuedOutput("file", new FileBatchWriter(log), config.LogLines, OutputFormat.Json, FileQueueBytes, report)
            {
                StopTimeout = TimeSpan.FromSeconds(10), // the log is the record: give a slow disk time
                WaitWhenFull = true, // alerts and notices as long as it takes; per-event lines only while the source holds their events
                SourceHasRoom = backlog is null ? null : () => backlog.Backlog is { } b && b.Queued < b.Capacity / 2,
            });
            // The real stdout is written as bytes, one write per drain, with write(2) on Unix (System.Console
            // would make a stuck stdout block stderr too); a TextWriter (a test, a host) as text.
            IBatchWriter console = !ReferenceEquals(stdout, Console.Out) ? new TextBatchWriter(stdout)
                : OperatingSystem.IsWindows() ? new StreamBatchWriter(Console.OpenStandardOutput(), leaveOpen: false)
                : new DescriptorBatchWriter(1);
            outputs.Add(new QueuedOutput("stdout", console, StdoutLines(config, json, stdout), json ? OutputFormat.Json : OutputFormat.Text, StreamQueueBytes, report));
            SyslogHeader? syslogHeader = null;
            if (config.SyslogTarget.Length > 0)
            {
                // Validated with the configuration; connecting happens on the output's thread, so a receiver
                // that is down at start is retried (and its lines counted) rather than stopping the monitor.
                var target = SyslogTarget.TryParse(config.SyslogTarget, out _)!;
                syslogHeader = new SyslogHeader(config.SyslogFacility, formatter.HostName, Environment.ProcessId);
                outputs.Add(new QueuedOutput("syslog", new SyslogSocketWriter(target), config.SyslogLines, OutputFormat.Syslog, StreamQueueBytes, report));
            }
            return new OutputPipeline(formatter, outputs, ConsoleRecordSink.Line, syslogHeader);
        }
        catch
        {
            foreach (var output in outputs) output.Dispose();
            throw;
        }
    }
}
