using JobPlatform.Jobs.Handlers;
using Npgsql;

namespace JobPlatform.TestWorker;

public sealed record SideEffectPayload(int Number);

/// <summary>
/// Applies a visible side effect (a row naming the job, its claim's fencing token and this process), then works a little,
/// so that a kill lands between the side effect and the completion for some jobs.
/// </summary>
public sealed class SideEffectJob(NpgsqlDataSource dataSource) : IJob<SideEffectPayload>
{
    public async Task ExecuteAsync(SideEffectPayload payload, JobContext context, CancellationToken cancellationToken)
    {
        await using (var command = dataSource.CreateCommand(
            "INSERT INTO side_effects (job_id, token, pid) VALUES ($1, $2, $3)"))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = context.JobId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = context.FencingToken });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Environment.ProcessId });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await Task.Delay(Random.Shared.Next(2, 10), cancellationToken);
    }
}
