using JobPlatform.Jobs.Handlers;

namespace JobPlatform.Worker.Jobs;

/// <summary>The seed system's quick job: logs a greeting.</summary>
public sealed partial class SimpleJob(ILogger<SimpleJob> logger) : IJob<SimpleJobPayload>
{
    public const string Name = "simple-job";

    public Task ExecuteAsync(SimpleJobPayload payload, JobContext context, CancellationToken cancellationToken)
    {
        LogGreeting(payload.Name, context.JobId);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Hello, {Name}! (job {JobId})")]
    private partial void LogGreeting(string name, Guid jobId);
}
