using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace JobPlatform.Jobs.Storage.Migrations
{
    /// <inheritdoc />
    public partial class ClusterLimits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "concurrency_limit",
                schema: "jobplatform",
                table: "job_types",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<TimeSpan>(
                name: "rate_interval",
                schema: "jobplatform",
                table: "job_types",
                type: "interval",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "rate_limit",
                schema: "jobplatform",
                table: "job_types",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "type_starts",
                schema: "jobplatform",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    type = table.Column<string>(type: "text", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_type_starts", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_jobs_running_type",
                schema: "jobplatform",
                table: "jobs",
                column: "type",
                filter: "state = 'processing'");

            migrationBuilder.CreateIndex(
                name: "ix_type_starts",
                schema: "jobplatform",
                table: "type_starts",
                columns: new[] { "type", "started_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "type_starts",
                schema: "jobplatform");

            migrationBuilder.DropIndex(
                name: "ix_jobs_running_type",
                schema: "jobplatform",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "concurrency_limit",
                schema: "jobplatform",
                table: "job_types");

            migrationBuilder.DropColumn(
                name: "rate_interval",
                schema: "jobplatform",
                table: "job_types");

            migrationBuilder.DropColumn(
                name: "rate_limit",
                schema: "jobplatform",
                table: "job_types");
        }
    }
}
