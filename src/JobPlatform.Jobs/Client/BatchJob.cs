namespace JobPlatform.Jobs.Client;

/// <summary>One job of a batch.</summary>
public sealed record BatchJob(string Type, string PayloadJson);
