namespace JobPlatform.Jobs.Client;

/// <summary>On which outcome of its parent a continuation runs; otherwise it ends as cancelled, with the reason.</summary>
public enum ContinuationCondition
{
    OnSuccess,
    OnFailure,
    Always,
}
