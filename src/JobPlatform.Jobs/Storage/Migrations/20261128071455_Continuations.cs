using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace JobPlatform.Jobs.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Continuations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "continue_on",
                schema: "jobplatform",
                table: "jobs",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "parent_id",
                schema: "jobplatform",
                table: "jobs",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_jobs_awaiting_parent",
                schema: "jobplatform",
                table: "jobs",
                column: "parent_id",
                filter: "state = 'awaiting'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_jobs_awaiting_parent",
                schema: "jobplatform",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "continue_on",
                schema: "jobplatform",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "parent_id",
                schema: "jobplatform",
                table: "jobs");
        }
    }
}
