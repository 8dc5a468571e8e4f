using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace JobPlatform.Jobs.Storage.Migrations
{
    /// <inheritdoc />
    public partial class RescueBudget : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_job_attempts",
                schema: "jobplatform",
                table: "job_attempts");

            migrationBuilder.AddColumn<int>(
                name: "max_rescues",
                schema: "jobplatform",
                table: "jobs",
                type: "integer",
                nullable: false,
                defaultValue: 3);

            migrationBuilder.AddColumn<int>(
                name: "rescues",
                schema: "jobplatform",
                table: "jobs",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "max_rescues",
                schema: "jobplatform",
                table: "job_types",
                type: "integer",
                nullable: false,
                defaultValue: 3);

            migrationBuilder.AddColumn<long>(
                name: "fencing_token",
                schema: "jobplatform",
                table: "job_attempts",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // History written before this migration has no token; its attempt numbers, negated, keep rows apart
            // (a real token is never negative).
            migrationBuilder.Sql("UPDATE jobplatform.job_attempts SET fencing_token = -attempt");

            migrationBuilder.AddPrimaryKey(
                name: "pk_job_attempts",
                schema: "jobplatform",
                table: "job_attempts",
                columns: new[] { "job_id", "fencing_token" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_job_attempts",
                schema: "jobplatform",
                table: "job_attempts");

            migrationBuilder.DropColumn(
                name: "max_rescues",
                schema: "jobplatform",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "rescues",
                schema: "jobplatform",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "max_rescues",
                schema: "jobplatform",
                table: "job_types");

            migrationBuilder.DropColumn(
                name: "fencing_token",
                schema: "jobplatform",
                table: "job_attempts");

            migrationBuilder.AddPrimaryKey(
                name: "pk_job_attempts",
                schema: "jobplatform",
                table: "job_attempts",
                columns: new[] { "job_id", "attempt" });
        }
    }
}
