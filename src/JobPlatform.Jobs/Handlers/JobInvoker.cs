namespace JobPlatform.Jobs.Handlers;

/// <summary>Deserialises the payload and runs the handler, within the scope given.</summary>
public delegate Task JobInvoker(
    IServiceProvider scopedServices, string payloadJson, JobContext context, CancellationToken cancellationToken);
