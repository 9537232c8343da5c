namespace NetSentinel.Windows.IpHelper;

/// <summary>An IP Helper table could not be read: the call failed, or its buffer is shorter than its own row count
/// says (the table is refused rather than read past the end).</summary>
public sealed class IpHelperTableFormatException(string message) : Exception(message);
