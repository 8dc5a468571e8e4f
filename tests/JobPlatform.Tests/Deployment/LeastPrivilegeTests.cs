using System.Net;
using System.Net.Http.Json;
using JobPlatform.Jobs;
using JobPlatform.Tests.Api;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Npgsql;

namespace JobPlatform.Tests.Deployment;

/// <summary>
/// The database role docker-compose gives the api and workers (deploy/postgres/app-role.sql, run with psql as
/// the compose file's init script runs it): with only the ownership of its own schema, the engine migrates,
/// workers run jobs and the api enqueues; anything beyond that schema is refused.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LeastPrivilegeTests(PostgresFixture postgres)
{
    [Fact]
    public async Task The_app_role_owns_its_schema_and_nothing_more_and_the_platform_runs_on_it()
    {
        var admin = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync());
        var (role, app) = await AppRole.CreateAsync(admin.ConnectionString);

        await using (var worker = await EngineHost.StartEchoWorkerAsync(app))
        {
            var id = await worker.EnqueueAsync("echo", new EchoPayload("as the app role"));
            await worker.WaitForStateAsync(id, TimeSpan.FromSeconds(20), JobState.Succeeded);

            await using var api = new ApiFactory(app);
            using var http = api.CreateClient();
            using var response = await http.PostAsJsonAsync("/api/jobs", new { type = "echo", payload = new { text = "over http" } });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.Equal(1, await Sql.ScalarAsync(admin.ConnectionString, """SELECT count(*) FROM pg_tables WHERE schemaname = 'jobplatform' AND tablename = '__EFMigrationsHistory'"""));
        Assert.Equal(0, await Sql.ScalarAsync(admin.ConnectionString,
            $"SELECT count(*) FROM pg_roles WHERE rolname = '{role}' AND (rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls)"));
        foreach (var beyond in new[] { "CREATE TABLE public.intruder (x int)", "CREATE SCHEMA intruder", "CREATE DATABASE intruder", "CREATE ROLE intruder" })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(app, beyond));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
    }
}
