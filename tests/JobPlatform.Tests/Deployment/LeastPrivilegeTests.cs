using System.Net;
using System.Net.Http.Json;
using JobPlatform.Jobs;
using JobPlatform.Jobs.Storage;
using JobPlatform.Tests.Api;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Npgsql;

namespace JobPlatform.Tests.Deployment;

/// <summary>
/// The database roles docker-compose uses (deploy/postgres/roles.sql, run with psql as the compose file's init
/// script runs it): the migration role changes the schema, once, before the others start; the api and workers run
/// as the runtime role, which reads and writes rows and changes no table; neither reaches any other database.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LeastPrivilegeTests(PostgresFixture postgres)
{
    private static readonly Dictionary<string, string> NoMigrations = new() { ["JobPlatform:Schema:ApplyMigrations"] = "false" };

    [Fact]
    public async Task The_runtime_role_runs_the_platform_on_a_schema_the_migration_role_made_and_may_change_no_table()
    {
        var admin = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync());
        var (migrator, app) = await AppRole.CreateRolesAsync(admin.ConnectionString);

        // Before "migrate": a process that may not migrate refuses to start, and says what to run.
        await using (var early = new ApiFactory(app.ConnectionString, NoMigrations))
        {
            var behind = Assert.ThrowsAny<Exception>(() => early.CreateClient());
            var reason = Assert.IsType<SchemaBehindException>(behind.GetBaseException());
            Assert.Contains("dotnet JobPlatform.Api.dll migrate", reason.Message);
        }

        await AppRole.MigrateAsync(migrator.ConnectionString);
        await using (var worker = await EngineHost.StartEchoWorkerAsync(app.ConnectionString))
        {
            var id = await worker.EnqueueAsync("echo", new EchoPayload("as the runtime role"));
            await worker.WaitForStateAsync(id, TimeSpan.FromSeconds(20), JobState.Succeeded);

            await using var api = new ApiFactory(app.ConnectionString, NoMigrations);
            using var http = api.CreateClient();
            using var response = await http.PostAsJsonAsync("/api/jobs", new { type = "echo", payload = new { text = "over http" } });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            // The dashboard's login form needs the data-protection keys, which the runtime role writes.
            using var form = await http.GetAsync("/dashboard/login");
            Assert.Equal(HttpStatusCode.OK, form.StatusCode);
            Assert.True(await Sql.ScalarAsync(admin.ConnectionString, "SELECT count(*) FROM jobplatform.data_protection_keys") >= 1);
        }

        Assert.Equal(migrator.Name, Assert.Single(await Sql.StringsAsync(admin.ConnectionString, "SELECT tableowner::text FROM pg_tables WHERE schemaname = 'jobplatform' AND tablename = 'jobs'")));
        Assert.Equal(0, await Sql.ScalarAsync(admin.ConnectionString,
            $"SELECT count(*) FROM pg_roles WHERE rolname IN ('{app.Name}', '{migrator.Name}') AND (rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls)"));
        foreach (var change in new[]
        {
            "CREATE TABLE jobplatform.intruder (x int)", "ALTER TABLE jobplatform.jobs ADD COLUMN intruder int", "DROP TABLE jobplatform.jobs",
            "TRUNCATE jobplatform.jobs", "CREATE INDEX intruder ON jobplatform.jobs (queue)", "CREATE TABLE public.intruder (x int)",
            "CREATE SCHEMA intruder", "CREATE DATABASE intruder", "CREATE ROLE intruder",
        })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(app.ConnectionString, change));
            Assert.True(refused.SqlState is PostgresErrorCodes.InsufficientPrivilege, $"{change}: {refused.SqlState} {refused.MessageText}");
        }
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("template1")]
    public async Task Neither_role_may_connect_to_the_servers_other_databases(string database)
    {
        var admin = await postgres.CreateDatabaseAsync();
        var (migrator, app) = await AppRole.CreateRolesAsync(admin);

        foreach (var role in new[] { app, migrator })
        {
            var elsewhere = new NpgsqlConnectionStringBuilder(role.ConnectionString) { Database = database, Pooling = false }.ConnectionString;
            var refused = await Assert.ThrowsAsync<PostgresException>(() => Sql.ScalarAsync(elsewhere, "SELECT 1"));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
        Assert.Equal(1, await Sql.ScalarAsync(app.ConnectionString, "SELECT 1")); // its own, yes
    }
}
