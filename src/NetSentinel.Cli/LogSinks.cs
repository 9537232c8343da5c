using NetSentinel.Core.Configuration;
using NetSentinel.Core.Output;

namespace NetSentinel.Cli;

/// <summary>Opens the JSONL log the configuration names, turning a refusal into a runtime failure with its one-line reason.</summary>
public static class LogSinks
{
    public static IRecordSink OpenFile(MonitorConfig config)
    {
        try
        {
            return new JsonlFileSink(config.LogFile, maxBytes: config.LogMaxSizeBytes, maxFiles: config.LogMaxFiles);
        }
        catch (LogFileException e)
        {
            throw CliFailure.Runtime(e.Message);
        }
    }
}
