using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace JobPlatform.Jobs.Storage.Migrations
{
    /// <summary>
    /// Drops the insert trigger that sent NOTIFY inside every enqueuing transaction. Such a NOTIFY holds the
    /// cluster-wide notification lock through the commit's WAL flush and so serializes all enqueues; the
    /// client now notifies after its commit (or inside a caller's transaction, where it must).
    /// </summary>
    public partial class NotifyAfterCommit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS jobplatform.notify_enqueued() CASCADE;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
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
    }
}
