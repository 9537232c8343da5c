namespace NetSentinel.Windows.IpHelper;

/// <summary>A table buffer returned by the IP Helper API is shorter than its own row count says: the snapshot is refused rather than read past the end.</summary>
public sealed class IpHelperTableFormatException(string message) : Exception(message);
