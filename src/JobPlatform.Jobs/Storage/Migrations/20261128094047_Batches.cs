using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace JobPlatform.Jobs.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Batches : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "batch_id",
                schema: "jobplatform",
                table: "jobs",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "batches",
                schema: "jobplatform",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    total = table.Column<int>(type: "integer", nullable: false),
                    callback_type = table.Column<string>(type: "text", nullable: true),
                    callback_payload = table.Column<string>(type: "jsonb", nullable: true),
                    callback_queue = table.Column<string>(type: "text", nullable: true),
                    callback_job_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_batches", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_jobs_batch",
                schema: "jobplatform",
                table: "jobs",
                column: "batch_id",
                filter: "batch_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_jobs_batch_unfinished",
                schema: "jobplatform",
                table: "jobs",
                column: "batch_id",
                filter: "batch_id IS NOT NULL AND state IN ('scheduled','enqueued','processing','awaiting')");

            migrationBuilder.CreateIndex(
                name: "ix_batches_open",
                schema: "jobplatform",
                table: "batches",
                column: "created_at",
                filter: "finished_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "batches",
                schema: "jobplatform");

            migrationBuilder.DropIndex(
                name: "ix_jobs_batch",
                schema: "jobplatform",
                table: "jobs");

            migrationBuilder.DropIndex(
                name: "ix_jobs_batch_unfinished",
                schema: "jobplatform",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "batch_id",
                schema: "jobplatform",
                table: "jobs");
        }
    }
}
