namespace NetSentinel.Core.Detection;

/// <summary>The baseline state file could not be written (or set aside); the message is one line for the user.</summary>
public sealed class BaselineStateException(string message, Exception? inner = null) : Exception(message, inner);
