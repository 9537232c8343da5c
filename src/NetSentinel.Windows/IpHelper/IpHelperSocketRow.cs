using System.Net;
using NetSentinel.Core.Model;

namespace NetSentinel.Windows.IpHelper;

/// <summary>One row of an IP Helper owner-pid table, decoded to host values. <see cref="TcpState"/> is 0 for UDP rows.</summary>
internal readonly record struct IpHelperSocketRow(Transport Transport, IPEndPoint Local, IPEndPoint Remote, uint TcpState, int ProcessId);
