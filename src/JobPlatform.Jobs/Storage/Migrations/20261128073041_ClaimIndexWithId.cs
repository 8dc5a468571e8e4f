using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace JobPlatform.Jobs.Storage.Migrations
{
    /// <inheritdoc />
    public partial class ClaimIndexWithId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_jobs_due",
                schema: "jobplatform",
                table: "jobs");

            migrationBuilder.CreateIndex(
                name: "ix_jobs_due",
                schema: "jobplatform",
                table: "jobs",
                columns: new[] { "queue", "priority", "run_at", "id" },
                descending: new[] { false, true, false, false },
                filter: "state IN ('enqueued','scheduled')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_jobs_due",
                schema: "jobplatform",
                table: "jobs");

            migrationBuilder.CreateIndex(
                name: "ix_jobs_due",
                schema: "jobplatform",
                table: "jobs",
                columns: new[] { "queue", "priority", "run_at" },
                descending: new[] { false, true, false },
                filter: "state IN ('enqueued','scheduled')");
        }
    }
}
