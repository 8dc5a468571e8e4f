namespace JobPlatform.Jobs.Handlers;

/// <summary>A payload that cannot become the handler's payload type: retrying will not help.</summary>
public sealed class JobPayloadException(string message, Exception? inner = null) : Exception(message, inner);
