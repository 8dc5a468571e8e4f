using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace JobPlatform.Jobs.Storage;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running host or database.</summary>
internal sealed class DesignTimeJobsDbContextFactory : IDesignTimeDbContextFactory<JobsDbContext>
{
    public JobsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<JobsDbContext>().UseNpgsql("Host=localhost;Database=jobsdb",
            npgsql => npgsql.MigrationsHistoryTable(SchemaMigrator.HistoryTable, JobsDbContext.Schema)).Options);
}
