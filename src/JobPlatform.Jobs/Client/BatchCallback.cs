namespace JobPlatform.Jobs.Client;

/// <summary>
/// The job enqueued once when every job of a batch has finished. Its payload is <see cref="PayloadJson"/>
/// with a <c>batch</c> property added: <c>{"id", "total", "succeeded", "failed", "cancelled"}</c>.
/// </summary>
public sealed record BatchCallback(string Type, string PayloadJson = "{}")
{
    public string? Queue { get; init; }
}
