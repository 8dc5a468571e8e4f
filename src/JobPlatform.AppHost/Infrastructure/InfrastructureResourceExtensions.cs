using Aspire.Hosting.ApplicationModel;

namespace JobPlatform.AppHost.Infrastructure;

public static class InfrastructureResourceExtensions
{
    /// <summary>Writes the choice to the log and shows it as the "infrastructure" resource of the dashboard.</summary>
    public static InfrastructureChoice Announce(this IDistributedApplicationBuilder builder, InfrastructureChoice choice)
    {
        Console.WriteLine($"info: JobPlatform.AppHost: infrastructure: {choice.Title}: {choice.Reason}");
        builder.AddResource(new InfrastructureResource("infrastructure"))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Infrastructure",
                State = new ResourceStateSnapshot(choice.Title, KnownResourceStateStyles.Info),
                Properties = [new("jobplatform.infrastructure.reason", choice.Reason)],
            })
            .ExcludeFromManifest();
        return choice;
    }
}
