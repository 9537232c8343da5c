namespace NetSentinel.Cli.SelfTest;

/// <summary>What a scenario program does on the wire (see <see cref="ScenarioRunner"/>).</summary>
public enum ScenarioAction
{
    /// <summary>One TCP connect to each target, closed at once (refused or not): a port or host sweep.</summary>
    Sweep,
    /// <summary>TCP exchanges with the self-test's servers: ask for bytes, upload bytes, read the answer.</summary>
    Fetch,
    /// <summary>Datagrams from one UDP socket to one target, on a rhythm.</summary>
    Udp,
    /// <summary>A UDP server on this host answering the clients that write to it first.</summary>
    UdpServe,
}
