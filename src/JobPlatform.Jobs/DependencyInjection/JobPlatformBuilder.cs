using JobPlatform.Jobs.Handlers;
using JobPlatform.Jobs.Maintenance;
using JobPlatform.Jobs.Processing;
using JobPlatform.Jobs.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace JobPlatform.Jobs.DependencyInjection;

/// <summary>Adds processing and job types to the services that <c>AddJobPlatform</c> registered.</summary>
public sealed class JobPlatformBuilder(IServiceCollection services)
{
    public IServiceCollection Services { get; } = services;

    /// <summary>Makes this process a worker: claims and runs jobs of the registered types.</summary>
    public JobPlatformBuilder AddProcessing(Action<ProcessingOptions>? configure = null)
    {
        var options = Services.AddOptions<ProcessingOptions>().BindConfiguration(ProcessingOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null) options.Configure(configure);
        options.PostConfigure(o => o.Queues = o.Queues.Length == 0 ? [JobTypeOptions.DefaultQueue] : [.. o.Queues.Distinct()]);

        Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        Services.TryAddSingleton<RunningJobs>();
        Services.TryAddSingleton<JobSignal>();
        Services.TryAddSingleton<JobExecutor>();
        Services.TryAddSingleton<IServerEndpointSource, NoServerEndpoint>();
        Services.AddHostedService<JobTypeRegistrar>();
        Services.AddSingleton<IValidateOptions<ProcessingOptions>, ShutdownGraceValidation>();
        // Hosted services stop in the reverse order of registration. The completer and the heartbeat are registered
        // before the processor, so they stop after it has drained: its jobs wait on the completer, and their leases
        // must be renewed until the last of them has ended or been given back (else another server runs them too).
        Services.TryAddSingleton<JobCompleter>();
        Services.AddHostedService(sp => sp.GetRequiredService<JobCompleter>());
        Services.AddHostedService<ServerHeartbeat>();
        Services.AddHostedService<JobNotifier>();
        Services.AddHostedService<JobProcessor>();
        Services.AddHostedService<JobRescuer>();
        Services.AddHostedService<JobCleaner>();

        // Every worker may lead the scheduler; the lease picks one.
        Services.AddOptions<SchedulingOptions>().BindConfiguration(SchedulingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        Services.TryAddSingleton<ScheduleFirer>();
        Services.TryAddSingleton<ScheduleRunner>();
        Services.AddHostedService<ScheduleSeeder>();
        Services.AddHostedService(sp => sp.GetRequiredService<ScheduleRunner>());
        Services.AddHostedService<QueueDepthSampler>();
        return this;
    }

    /// <summary>
    /// Declares a recurring schedule in code: stored when the worker starts, updated when the code changes,
    /// one row however many workers declare it. The definition is checked here, so a bad cron expression
    /// stops the worker at start with a message that says why.
    /// </summary>
    public JobPlatformBuilder AddSchedule(ScheduleDefinition definition)
    {
        ScheduleValidation.Validate(definition);
        Services.AddSingleton(new DeclaredSchedule(definition));
        return this;
    }

    /// <summary>Declares a recurring schedule whose jobs get <paramref name="payload"/>; see <see cref="AddSchedule(ScheduleDefinition)"/>.</summary>
    public JobPlatformBuilder AddSchedule<TPayload>(
        string name, string cron, string type, TPayload payload, Func<ScheduleDefinition, ScheduleDefinition>? configure = null)
    {
        var definition = new ScheduleDefinition(name, cron, type, System.Text.Json.JsonSerializer.Serialize(payload, JobJson.Options));
        return AddSchedule(configure is null ? definition : configure(definition));
    }

    /// <summary>Registers a handler for the job type <paramref name="name"/>.</summary>
    public JobPlatformBuilder AddJob<THandler, TPayload>(string name, Action<JobTypeOptions>? configure = null)
        where THandler : class, IJob<TPayload>
    {
        if (!JobTypeNames.IsValid(name))
            throw new ArgumentException($"'{name}' is not a valid job type name ({JobTypeNames.Pattern}).", nameof(name));

        var options = new JobTypeOptions();
        configure?.Invoke(options);
        if (!JobTypeNames.IsValid(options.Queue))
            throw new ArgumentException($"'{options.Queue}' is not a valid queue name ({JobTypeNames.Pattern}).", nameof(configure));
        if (options.Timeout is { } timeout && !Client.EnqueueLimits.IsValidTimeout(timeout))
            throw new ArgumentException(Client.EnqueueLimits.TimeoutRule, nameof(configure));
        if (options.ConcurrencyLimit is < 1)
            throw new ArgumentException("A concurrency limit allows at least one running job.", nameof(configure));
        options.RateLimit?.Validate();

        Services.TryAddScoped<THandler>();
        Services.AddSingleton(new JobTypeDefinition(name, options, typeof(TPayload), JobJson.SchemaOf(typeof(TPayload)), Invoke));
        return this;

        static Task Invoke(IServiceProvider services, string payloadJson, JobContext context, CancellationToken cancellationToken)
        {
            TPayload payload;
            try
            {
                payload = System.Text.Json.JsonSerializer.Deserialize<TPayload>(payloadJson, JobJson.Options)
                    ?? throw new JobPayloadException($"The payload of job type '{context.Type}' is null.");
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new JobPayloadException($"The payload does not fit job type '{context.Type}': {e.Message}", e);
            }
            PayloadAnnotations.Validate(payload, JobJson.Options.GetTypeInfo(typeof(TPayload)));
            return services.GetRequiredService<THandler>().ExecuteAsync(payload, context, cancellationToken);
        }
    }
}
