using Microsoft.EntityFrameworkCore;

namespace JobPlatform.Jobs.Storage;

/// <summary>
/// Applies the EF Core migrations under a PostgreSQL advisory lock, so any number of processes may
/// start at once against an empty database: the first migrates, the others wait and find nothing to do.
/// EF's own migration lock is not enough here: it is taken after the history table is created, and
/// concurrent <c>CREATE TABLE IF NOT EXISTS</c> can still collide in the catalog.
/// </summary>
public static class SchemaMigrator
{
    // Any constant works; it only has to be the same in every process. ("JobPlatf" in ASCII.)
    private const long LockKey = 0x4A6F62506C617466;

    /// <summary>EF's history table, kept in <see cref="JobsDbContext.Schema"/> (it used to be in "public").</summary>
    public const string HistoryTable = "__EFMigrationsHistory";

    public static async Task MigrateAsync(JobsDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({LockKey})", cancellationToken);
            try
            {
                await MoveHistoryFromPublicAsync(db, cancellationToken);
                // A migration may rebuild indexes of a large table: no command timeout (the host's stop still cancels).
                var timeout = db.Database.GetCommandTimeout();
                db.Database.SetCommandTimeout(TimeSpan.Zero);
                try
                {
                    await db.Database.MigrateAsync(cancellationToken);
                }
                finally
                {
                    db.Database.SetCommandTimeout(timeout);
                }
            }
            finally
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// A database migrated before the history moved keeps it in public."__EFMigrationsHistory", perhaps shared with
    /// an application's own EF context: copy the engine's rows into its schema once, leaving the rest alone.
    /// </summary>
    private static async Task MoveHistoryFromPublicAsync(JobsDbContext db, CancellationToken cancellationToken)
    {
        var needed = await db.Database.SqlQuery<bool>($"""
            SELECT to_regclass('jobplatform."__EFMigrationsHistory"') IS NULL
               AND to_regclass('public."__EFMigrationsHistory"') IS NOT NULL
               AND to_regclass('jobplatform.jobs') IS NOT NULL AS "Value"
            """).SingleAsync(cancellationToken);
        if (!needed) return;
        var ours = db.Database.GetMigrations().ToArray();
        await db.Database.ExecuteSqlAsync($"""
            CREATE TABLE jobplatform."__EFMigrationsHistory" (LIKE public."__EFMigrationsHistory" INCLUDING ALL);
            INSERT INTO jobplatform."__EFMigrationsHistory" SELECT * FROM public."__EFMigrationsHistory" WHERE "MigrationId" = ANY({ours});
            """, cancellationToken);
    }
}
