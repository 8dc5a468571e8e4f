using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace JobPlatform.Jobs.Storage.Migrations;

/// <summary>
/// The job list filtered by type, newest first, reads one range of <c>ix_jobs_type_list</c> (type, id): without it,
/// a type with few jobs among many was found by reading the whole table (0.44 s at 10M rows, bench <c>timers</c>).
/// Building it reads the table once and blocks writes to it meanwhile (about a second per million jobs here).
/// </summary>
[DbContext(typeof(JobsDbContext))]
[Migration("20261202010000_JobListByType")]
public sealed class JobListByType : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("CREATE INDEX ix_jobs_type_list ON jobplatform.jobs (type, id);");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP INDEX jobplatform.ix_jobs_type_list;");
}
