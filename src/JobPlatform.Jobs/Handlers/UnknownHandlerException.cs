namespace JobPlatform.Jobs.Handlers;

/// <summary>The job's type has no handler in this process: retrying here will not help.</summary>
public sealed class UnknownHandlerException(string type)
    : Exception($"This worker has no handler for the job type '{type}'.");
