using Aspire.Hosting;
using JobPlatform.AppHost.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace JobPlatform.Tests.AppHost;

/// <summary>How the AppHost chooses between containers and the programs installed on the machine.</summary>
public sealed class InfrastructureSelectorTests
{
    private static readonly Func<(bool, string)> RuntimeWorks = () => (true, "docker 28.0.1");
    private static readonly Func<(bool, string)> NoRuntime = () => (false, "'docker' is not installed");
    private static readonly Func<(bool, string)> MustNotAsk = () => throw new InvalidOperationException("the runtime was probed");

    [Fact]
    public void Without_a_setting_a_working_container_runtime_means_containers()
    {
        var choice = InfrastructureSelector.Choose(Configuration(), RuntimeWorks);

        Assert.Equal(InfrastructureMode.Containers, choice.Mode);
        Assert.False(choice.ExternalDatabase);
        Assert.Contains("docker 28.0.1", choice.Reason);
    }

    [Fact]
    public void Without_a_setting_and_without_a_runtime_the_installed_programs_are_used_and_the_reason_says_why()
    {
        var choice = InfrastructureSelector.Choose(Configuration(("JobPlatform:Infrastructure", "auto")), NoRuntime);

        Assert.Equal(InfrastructureMode.LocalExecutables, choice.Mode);
        Assert.Equal("Local executables", choice.Title);
        Assert.Contains("'docker' is not installed", choice.Reason);
    }

    [Theory]
    [InlineData("local", InfrastructureMode.LocalExecutables)]
    [InlineData("Containers", InfrastructureMode.Containers)]
    public void The_setting_forces_a_mode_without_probing(string setting, InfrastructureMode expected)
    {
        var choice = InfrastructureSelector.Choose(Configuration(("JobPlatform:Infrastructure", setting)), MustNotAsk);

        Assert.Equal(expected, choice.Mode);
        Assert.Contains("JobPlatform:Infrastructure", choice.Reason);
    }

    [Fact]
    public void A_given_connection_string_wins_for_the_database()
    {
        var choice = InfrastructureSelector.Choose(Configuration(("ConnectionStrings:jobsdb", "Host=db;Database=jobsdb")), NoRuntime);

        Assert.True(choice.ExternalDatabase);
        Assert.Equal(InfrastructureMode.LocalExecutables, choice.Mode); // still decides where Prometheus and Grafana come from
        Assert.StartsWith("ConnectionStrings:jobsdb is given", choice.Reason);
    }

    [Fact]
    public void An_unknown_setting_stops_the_AppHost_with_the_values_it_takes()
    {
        var error = Assert.Throws<DistributedApplicationException>(() =>
            InfrastructureSelector.Choose(Configuration(("JobPlatform:Infrastructure", "kubernetes")), MustNotAsk));

        Assert.Contains("'kubernetes'", error.Message);
        Assert.Contains("'auto' (the default), 'containers' or 'local'", error.Message);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
}
