using JobPlatform.Jobs;
using JobPlatform.Tests.Engine;
using JobPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JobPlatform.Tests.Correctness;

/// <summary>
/// Finding 9 of issue 16 (first point): a running job that someone asked to cancel is cancelled when its server
/// gives it back (stopping), not handed to the next server to run again.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReleaseTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_job_given_back_after_a_cancel_request_ends_cancelled()
    {
        var db = await postgres.CreateDatabaseAsync();
        var gate = new Gate();
        // A long lease: no renewal (which would pass the cancel request on to the handler) comes round in the test.
        var worker = await EngineHost.StartAsync(db, jobs =>
        {
            jobs.Services.AddSingleton(gate);
            jobs.AddJob<BlockingJob, EchoPayload>("blocking");
        }, o =>
        {
            o.LeaseDuration = TimeSpan.FromMinutes(1);
            o.ShutdownGrace = TimeSpan.Zero;
        });
        var id = await worker.EnqueueAsync("blocking", new EchoPayload("x"));
        await gate.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // A cancel request whose notification this server missed; then the server stops and gives the job back.
        await Sql.ExecuteAsync(db, $"UPDATE jobplatform.jobs SET cancel_requested_at = now() WHERE id = '{id}'");
        await worker.DisposeAsync();

        Assert.Equal("cancelled", (await Sql.StringsAsync(db, $"SELECT state FROM jobplatform.jobs WHERE id = '{id}'")).Single());
        Assert.Equal(["cancelled"], await Sql.StringsAsync(db, $"SELECT outcome FROM jobplatform.job_attempts WHERE job_id = '{id}'"));
    }
}
