using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Detection;

/// <summary>Keeps every record written, in order.</summary>
internal sealed class CollectingSink : IRecordSink
{
    public List<LogRecord> Records { get; } = [];

    public IEnumerable<AlertRecord> Alerts => Records.OfType<AlertRecord>();

    public IEnumerable<AlertRecord> AlertsFor(string rule) => Alerts.Where(a => a.Rule == rule);

    public void Write(LogRecord record) => Records.Add(record);

    public void Dispose()
    {
    }
}
