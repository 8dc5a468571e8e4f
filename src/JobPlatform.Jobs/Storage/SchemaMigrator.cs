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

    public static async Task MigrateAsync(JobsDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({LockKey})", cancellationToken);
            try
            {
                await db.Database.MigrateAsync(cancellationToken);
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
}
