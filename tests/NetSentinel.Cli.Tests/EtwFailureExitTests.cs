using NetSentinel.Core.Model;
using NetSentinel.Core.Sources;
using NetSentinel.Windows.Etw;

namespace NetSentinel.Cli.Tests;

/// <summary>A kernel session that stops under the monitor ends the run with exit 3 and the source's reason.</summary>
public sealed class EtwFailureExitTests
{
    [Fact]
    public void ASessionFailureInPumpBecomesExitThreeWithItsReason()
    {
        using var source = new EtwFailureExit(new StoppedSource());

        var failure = Assert.Throws<CliFailure>(() => source.Pump(new NullSink(), TimeSpan.Zero));

        Assert.Equal(ExitCodes.RuntimeError, failure.ExitCode);
        Assert.Equal("the kernel ETW session \"net-sentinel-tcpip\" was stopped from outside", failure.Message);
    }

    private sealed class StoppedSource : IConnectionSource
    {
        public string Name => "etw";
        public IReadOnlyList<string> StartupNotes => [];
        public long EventsLost => 0;
        public void Pump(IConnectionEventSink sink, TimeSpan maxWait) => throw new EtwSessionException("the kernel ETW session \"net-sentinel-tcpip\" was stopped from outside");
        public void EndInterval(IConnectionEventSink sink) { }
        public void Dispose() { }
    }

    private sealed class NullSink : IConnectionEventSink
    {
        public void OnEvent(ConnectionEvent connectionEvent) { }
    }
}
