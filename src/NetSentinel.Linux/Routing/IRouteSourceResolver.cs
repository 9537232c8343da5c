using System.Net;

namespace NetSentinel.Linux.Routing;

/// <summary>The source address the kernel's routing picks for a datagram of a socket with no address of its own.</summary>
public interface IRouteSourceResolver
{
    /// <summary>
    /// The address, or null when it cannot be told for certain (another namespace that is gone, no route, a lookup
    /// refused or over its budget). <paramref name="networkNamespace"/> is the socket's (its inode number); the thread
    /// <paramref name="tid"/> that sent, and its process <paramref name="tgid"/>, may still be in it: through them a
    /// namespace other than the monitor's is entered.
    /// </summary>
    IPAddress? SourceFor(ulong networkNamespace, uint tid, uint tgid, in RouteQuery query);
}
