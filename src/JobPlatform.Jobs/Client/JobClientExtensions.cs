using System.Text.Json;

namespace JobPlatform.Jobs.Client;

/// <summary>Typed helpers over <see cref="IJobClient"/>.</summary>
public static class JobClientExtensions
{
    public static Task<EnqueueResult> EnqueueAsync<TPayload>(
        this IJobClient client, string type, TPayload payload, EnqueueOptions? options = null,
        CancellationToken cancellationToken = default) =>
        client.EnqueueAsync(type, JsonSerializer.Serialize(payload, JobJson.Options), options, cancellationToken);
}
