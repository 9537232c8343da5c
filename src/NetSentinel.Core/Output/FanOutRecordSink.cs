namespace NetSentinel.Core.Output;

/// <summary>Writes every record to several sinks in order (the log file first, so a console failure cannot lose a logged line).</summary>
public sealed class FanOutRecordSink(params IRecordSink[] sinks) : IRecordSink
{
    public void Write(LogRecord record)
    {
        foreach (var sink in sinks) sink.Write(record);
    }

    public void Flush()
    {
        foreach (var sink in sinks) sink.Flush();
    }

    public void Dispose()
    {
        foreach (var sink in sinks) sink.Dispose();
    }
}
