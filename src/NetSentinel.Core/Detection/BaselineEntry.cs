using System.Net;
using NetSentinel.Core.Model;

namespace NetSentinel.Core.Detection;

/// <summary>One learned destination of one program: an address block (the destination masked to the baseline's prefix), a port and a transport.</summary>
public readonly record struct BaselineEntry(string ProgramKey, IPAddress Network, int PrefixLength, int Port, Transport Transport);
