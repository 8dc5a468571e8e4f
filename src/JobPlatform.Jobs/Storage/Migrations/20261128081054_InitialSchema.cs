using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace JobPlatform.Jobs.Storage.Migrations
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "jobplatform");

            migrationBuilder.CreateSequence(
                name: "fencing_tokens",
                schema: "jobplatform");

            migrationBuilder.CreateTable(
                name: "job_types",
                schema: "jobplatform",
                columns: table => new
                {
                    name = table.Column<string>(type: "text", nullable: false),
                    queue = table.Column<string>(type: "text", nullable: false),
                    max_attempts = table.Column<int>(type: "integer", nullable: false),
                    payload_schema = table.Column<string>(type: "jsonb", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_job_types", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "jobs",
                schema: "jobplatform",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    type = table.Column<string>(type: "text", nullable: false),
                    queue = table.Column<string>(type: "text", nullable: false),
                    state = table.Column<string>(type: "text", nullable: false),
                    priority = table.Column<int>(type: "integer", nullable: false),
                    payload = table.Column<string>(type: "jsonb", nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    max_attempts = table.Column<int>(type: "integer", nullable: false, defaultValue: 1),
                    run_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    error = table.Column<string>(type: "text", nullable: true),
                    lease_owner = table.Column<string>(type: "text", nullable: true),
                    lease_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    fencing_token = table.Column<long>(type: "bigint", nullable: false),
                    trace_parent = table.Column<string>(type: "text", nullable: true),
                    unique_key = table.Column<string>(type: "text", nullable: true),
                    tags = table.Column<string[]>(type: "text[]", nullable: false, defaultValueSql: "'{}'"),
                    timeout = table.Column<TimeSpan>(type: "interval", nullable: true),
                    retry_intervals = table.Column<TimeSpan[]>(type: "interval[]", nullable: true),
                    progress_percent = table.Column<short>(type: "smallint", nullable: true),
                    progress_message = table.Column<string>(type: "text", nullable: true),
                    parent_id = table.Column<Guid>(type: "uuid", nullable: true),
                    continue_on = table.Column<string>(type: "text", nullable: true),
                    cancel_requested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_jobs", x => x.id);
                    table.CheckConstraint("ck_jobs_state", "state IN ('scheduled','enqueued','processing','succeeded','failed','cancelled','awaiting')");
                });

            migrationBuilder.CreateTable(
                name: "servers",
                schema: "jobplatform",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    host = table.Column<string>(type: "text", nullable: false),
                    queues = table.Column<string[]>(type: "text[]", nullable: false),
                    concurrency = table.Column<int>(type: "integer", nullable: false),
                    in_flight = table.Column<int>(type: "integer", nullable: false),
                    endpoint = table.Column<string>(type: "text", nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    heartbeat_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_servers", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "job_attempts",
                schema: "jobplatform",
                columns: table => new
                {
                    job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    server = table.Column<string>(type: "text", nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    outcome = table.Column<string>(type: "text", nullable: false),
                    error_type = table.Column<string>(type: "text", nullable: true),
                    error_message = table.Column<string>(type: "text", nullable: true),
                    stack_trace = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_job_attempts", x => new { x.job_id, x.attempt });
                    table.ForeignKey(
                        name: "fk_job_attempts_jobs",
                        column: x => x.job_id,
                        principalSchema: "jobplatform",
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_jobs_awaiting_parent",
                schema: "jobplatform",
                table: "jobs",
                column: "parent_id",
                filter: "state = 'awaiting'");

            migrationBuilder.CreateIndex(
                name: "ix_jobs_due",
                schema: "jobplatform",
                table: "jobs",
                columns: new[] { "queue", "priority", "run_at", "id" },
                descending: new[] { false, true, false, false },
                filter: "state IN ('enqueued','scheduled')");

            migrationBuilder.CreateIndex(
                name: "ix_jobs_finished",
                schema: "jobplatform",
                table: "jobs",
                column: "finished_at",
                filter: "state IN ('succeeded','failed','cancelled')");

            migrationBuilder.CreateIndex(
                name: "ix_jobs_leases",
                schema: "jobplatform",
                table: "jobs",
                column: "lease_expires_at",
                filter: "state = 'processing'");

            migrationBuilder.CreateIndex(
                name: "ux_jobs_unique_key",
                schema: "jobplatform",
                table: "jobs",
                column: "unique_key",
                unique: true,
                filter: "unique_key IS NOT NULL AND state IN ('scheduled','enqueued','processing','awaiting')");

            // Wakes idle workers at once (LISTEN jobplatform_enqueued); one notification per statement,
            // so a bulk insert or COPY costs one. Polling remains the fallback.
            migrationBuilder.Sql("""
                CREATE FUNCTION jobplatform.notify_enqueued() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('jobplatform_enqueued', '');
                    RETURN NULL;
                END $$;
                CREATE TRIGGER jobs_notify_enqueued AFTER INSERT ON jobplatform.jobs
                    FOR EACH STATEMENT EXECUTE FUNCTION jobplatform.notify_enqueued();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS jobplatform.notify_enqueued() CASCADE;");

            migrationBuilder.DropTable(
                name: "job_attempts",
                schema: "jobplatform");

            migrationBuilder.DropTable(
                name: "job_types",
                schema: "jobplatform");

            migrationBuilder.DropTable(
                name: "servers",
                schema: "jobplatform");

            migrationBuilder.DropTable(
                name: "jobs",
                schema: "jobplatform");

            migrationBuilder.DropSequence(
                name: "fencing_tokens",
                schema: "jobplatform");
        }
    }
}
