using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace JobPlatform.Jobs.Storage.Migrations
{
    /// <inheritdoc />
    public partial class LimitDeclarationsAndTokenGuard : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "job_type_declarations",
                schema: "jobplatform",
                columns: table => new
                {
                    type = table.Column<string>(type: "text", nullable: false),
                    server = table.Column<string>(type: "text", nullable: false),
                    concurrency_limit = table.Column<int>(type: "integer", nullable: true),
                    rate_limit = table.Column<int>(type: "integer", nullable: true),
                    rate_interval = table.Column<TimeSpan>(type: "interval", nullable: true),
                    seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_job_type_declarations", x => new { x.type, x.server });
                });

            migrationBuilder.CreateTable(
                name: "token_guard",
                schema: "jobplatform",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_token_guard", x => x.id);
                })
                .Annotation("Npgsql:UnloggedTable", true);

            migrationBuilder.CreateIndex(
                name: "ix_job_type_declarations_server",
                schema: "jobplatform",
                table: "job_type_declarations",
                column: "server");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "job_type_declarations",
                schema: "jobplatform");

            migrationBuilder.DropTable(
                name: "token_guard",
                schema: "jobplatform");
        }
    }
}
