namespace NetSentinel.Windows.Etw;

/// <summary>The kernel ETW session could not be started or stopped working; the message is one line for the user.</summary>
public sealed class EtwSessionException(string message, Exception? inner = null) : Exception(message, inner);
