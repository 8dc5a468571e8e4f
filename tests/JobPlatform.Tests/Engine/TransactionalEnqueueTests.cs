using JobPlatform.Jobs;
using JobPlatform.Jobs.Client;
using JobPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace JobPlatform.Tests.Engine;

/// <summary>A job enqueued in the caller's transaction exists if and only if that transaction commits.</summary>
[Collection(PostgresCollection.Name)]
public sealed class TransactionalEnqueueTests(PostgresFixture postgres)
{
    public sealed class Order
    {
        public int Id { get; set; }
        public required string Customer { get; set; }
    }

    /// <summary>The caller's own model, which knows nothing of the engine.</summary>
    public sealed class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options)
    {
        public DbSet<Order> Orders => Set<Order>();

        protected override void OnModelCreating(ModelBuilder modelBuilder) =>
            modelBuilder.Entity<Order>().ToTable("orders", "shop");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_an_NpgsqlTransaction_the_job_exists_only_if_the_transaction_commits(bool commit)
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var worker = await StartWorkerAsync(db);

        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("CREATE TABLE orders (id int PRIMARY KEY)", connection))
            await create.ExecuteNonQueryAsync();

        Guid id;
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using (var insert = new NpgsqlCommand("INSERT INTO orders VALUES (1)", connection, transaction))
                await insert.ExecuteNonQueryAsync();
            id = (await worker.WithClientAsync(c => c.EnqueueAsync(transaction, "echo", new EchoPayload("order 1")))).Id;
            // Not visible outside the transaction before the commit.
            Assert.Null(await worker.WithClientAsync(c => c.GetAsync(id)));
            if (commit) await transaction.CommitAsync();
            else await transaction.RollbackAsync();
        }

        if (commit) Assert.Equal(JobState.Succeeded, (await worker.WaitForStateAsync(id, TimeSpan.FromSeconds(30), JobState.Succeeded)).State);
        else
        {
            await Task.Delay(300);
            Assert.Null(await worker.WithClientAsync(c => c.GetAsync(id)));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_the_callers_DbContext_transaction_the_job_follows_SaveChanges_and_commit(bool commit)
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var worker = await StartWorkerAsync(db);
        await using var shop = new ShopContext(new DbContextOptionsBuilder<ShopContext>().UseNpgsql(db).Options);
        await shop.Database.ExecuteSqlRawAsync("CREATE SCHEMA shop; CREATE TABLE shop.orders (\"Id\" serial PRIMARY KEY, \"Customer\" text NOT NULL)");

        Guid id;
        await using (var transaction = await shop.Database.BeginTransactionAsync())
        {
            shop.Orders.Add(new Order { Customer = "ada" });
            await shop.SaveChangesAsync();
            id = (await worker.WithClientAsync(c => c.EnqueueAsync(shop, "echo", new EchoPayload("ada's order")))).Id;
            if (commit) await transaction.CommitAsync();
            else await transaction.RollbackAsync();
        }

        Assert.Equal(commit ? 1 : 0, await shop.Orders.CountAsync());
        var job = await worker.WithClientAsync(c => c.GetAsync(id));
        Assert.Equal(commit, job is not null);
    }

    [Fact]
    public async Task Enqueue_with_a_DbContext_that_has_no_transaction_is_refused()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var worker = await StartWorkerAsync(db);
        await using var shop = new ShopContext(new DbContextOptionsBuilder<ShopContext>().UseNpgsql(db).Options);

        await Assert.ThrowsAsync<InvalidOperationException>(() => worker.WithClientAsync(c => c.EnqueueAsync(shop, "echo", new EchoPayload("x"))));
    }

    private static Task<EngineHost> StartWorkerAsync(string db) =>
        EngineHost.StartEchoWorkerAsync(db);
}
