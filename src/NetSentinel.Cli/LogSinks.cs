using NetSentinel.Core.Configuration;
using NetSentinel.Core.Output;

namespace NetSentinel.Cli;

/// <summary>Opens the JSONL log the configuration names, turning a refusal into a runtime failure with its one-line reason.</summary>
public static class LogSinks
{
    /// <param name="report">Receives one-line notes about the log file itself (repaired, reopened, disk full, rotation slot skipped).</param>
    public static JsonlFileSink OpenFile(MonitorConfig config, Action<string>? report = null)
    {
        try
        {
            return new JsonlFileSink(config.LogFile, maxBytes: config.LogMaxSizeBytes, maxFiles: config.LogMaxFiles,
                diskFullAction: config.LogDiskFullAction, report: report);
        }
        catch (LogFileException e)
        {
            throw CliFailure.Runtime(e.Message);
        }
    }
}
