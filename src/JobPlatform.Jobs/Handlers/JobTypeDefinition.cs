namespace JobPlatform.Jobs.Handlers;

/// <summary>
/// A registered job type: its name, defaults, payload schema and a compiled invoker, so running a job
/// needs no reflection.
/// </summary>
public sealed record JobTypeDefinition(
    string Name,
    JobTypeOptions Options,
    Type PayloadType,
    string PayloadSchema,
    JobInvoker Invoke);
