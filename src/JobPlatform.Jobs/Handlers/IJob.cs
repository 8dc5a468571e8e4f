namespace JobPlatform.Jobs.Handlers;

/// <summary>A job handler: runs one job of a type whose payload is <typeparamref name="TPayload"/>.</summary>
/// <remarks>Resolved from a fresh DI scope for every attempt, so handlers may take scoped services.</remarks>
public interface IJob<in TPayload>
{
    Task ExecuteAsync(TPayload payload, JobContext context, CancellationToken cancellationToken);
}
