using NetSentinel.Core.Model;
using NetSentinel.Core.Sources;
using Xunit;

namespace NetSentinel.Tests.Shared;

/// <summary>
/// The promise every <see cref="IConnectionSource"/> makes, checked over a recorded stream: per connection id,
/// Opened comes first, then Traffic, then at most one Closed, and nothing after it until the id opens again;
/// Traffic deltas plus the close's unreported remainder never exceed the Closed totals, and equal them when the flow
/// was seen from its start.
/// </summary>
public static class FlowStreamContract
{
    public static void AssertHeld(IEnumerable<ConnectionEvent> events, bool seenFromStart = true)
    {
        var open = new Dictionary<ulong, (long Sent, long Received)>();
        foreach (ConnectionEvent e in events)
        {
            switch (e.Kind)
            {
                case ConnectionEventKind.Opened:
                    Assert.False(open.ContainsKey(e.ConnectionId), $"connection {e.ConnectionId} opened twice");
                    open[e.ConnectionId] = (0, 0);
                    break;
                case ConnectionEventKind.Resumed:
                    Assert.True(open.ContainsKey(e.ConnectionId), $"Resumed for connection {e.ConnectionId}, which is not open");
                    break;
                case ConnectionEventKind.Traffic:
                    Assert.True(open.TryGetValue(e.ConnectionId, out var sum), $"{e.Kind} for connection {e.ConnectionId}, which is not open");
                    open[e.ConnectionId] = (sum.Sent + e.BytesSent, sum.Received + e.BytesReceived);
                    break;
                case ConnectionEventKind.Closed:
                    Assert.True(open.Remove(e.ConnectionId, out var reported), $"Closed for connection {e.ConnectionId}, which is not open");
                    reported = (reported.Sent + e.UnreportedSent, reported.Received + e.UnreportedReceived);
                    if (seenFromStart) Assert.Equal((reported.Sent, reported.Received), (e.BytesSent, e.BytesReceived));
                    else Assert.True(reported.Sent <= e.BytesSent && reported.Received <= e.BytesReceived, $"connection {e.ConnectionId} reported more traffic than its totals");
                    break;
            }
        }
    }
}
