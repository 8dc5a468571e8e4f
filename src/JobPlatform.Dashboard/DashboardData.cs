using JobPlatform.Jobs.Client;
using Microsoft.Extensions.DependencyInjection;

namespace JobPlatform.Dashboard;

/// <summary>
/// The engine's client, one scope per call: a Blazor circuit lives long and its timer and button handlers can
/// overlap, while a scoped client (its DbContext) serves one operation at a time.
/// </summary>
public sealed class DashboardData(IServiceScopeFactory scopes)
{
    public async Task<T> GetAsync<T>(Func<IJobClient, Task<T>> query)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<IJobClient>());
    }
}
