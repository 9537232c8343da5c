using System.Net;
using NetSentinel.Core.Model;

namespace NetSentinel.Windows.Etw;

/// <summary>A connection or UDP flow as this host sees it: owner, our endpoint, the peer's endpoint.</summary>
internal readonly record struct EtwFlowKey(Transport Transport, int ProcessId, IPEndPoint Local, IPEndPoint Remote);
