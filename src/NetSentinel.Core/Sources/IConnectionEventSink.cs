using NetSentinel.Core.Model;

namespace NetSentinel.Core.Sources;

/// <summary>Where a source delivers its events. Called on the monitor's thread only (inside Pump or EndInterval).</summary>
public interface IConnectionEventSink
{
    void OnEvent(ConnectionEvent connectionEvent);
}
