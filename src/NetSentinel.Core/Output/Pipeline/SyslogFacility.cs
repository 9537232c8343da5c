namespace NetSentinel.Core.Output.Pipeline;

/// <summary>The RFC 5424 facilities a monitor would log under (the number is the facility code).</summary>
public enum SyslogFacility
{
    User = 1,
    Daemon = 3,
    Auth = 4,
    Authpriv = 10,
    Local0 = 16,
    Local1 = 17,
    Local2 = 18,
    Local3 = 19,
    Local4 = 20,
    Local5 = 21,
    Local6 = 22,
    Local7 = 23,
}
