using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace JobPlatform.Jobs.Storage.Migrations;

/// <summary>
/// Costs that follow the work, not the history (issue 18):
/// <list type="bullet">
/// <item>Claims read one range of <c>ix_jobs_due</c> per queue and type, which holds enqueued jobs only; jobs due
/// later are <c>scheduled</c>, in <c>ix_jobs_scheduled</c>, until a claim on their queue moves them. Jobs an earlier
/// version enqueued with a later due time become scheduled here.</item>
/// <item>Retention reads one range of <c>ix_jobs_finished</c> per state; the job list of one finished state reads
/// one range of <c>ix_jobs_finished_list</c>, newest first.</item>
/// <item>Jobs per queue and state, and finished jobs per minute and state, are kept by statement triggers (see
/// <c>JobStore.Counts.cs</c>), counted once here from the jobs, under the table's lock: no job changes between the
/// count and the triggers.</item>
/// </list>
/// The table is locked (reads too) until the migration commits: its indexes over unfinished jobs are rebuilt, and
/// two over finished jobs built, each a read of the whole table.
/// </summary>
[DbContext(typeof(JobsDbContext))]
[Migration("20261201020000_HistoryAtScale")]
public sealed class HistoryAtScale : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            -- The whole table at once, first: the index rebuilds below need it alone, and taking it in steps (the
            -- triggers' lock, then the drops') could deadlock with a transaction that reads jobs, then enqueues.
            LOCK TABLE jobplatform.jobs IN ACCESS EXCLUSIVE MODE;
            CREATE TABLE jobplatform.job_counts (
                queue text NOT NULL,
                state text NOT NULL,
                n bigint NOT NULL,
                CONSTRAINT pk_job_counts PRIMARY KEY (queue, state));
            CREATE TABLE jobplatform.finished_minutes (
                minute timestamptz NOT NULL,
                state text NOT NULL,
                n bigint NOT NULL,
                CONSTRAINT pk_finished_minutes PRIMARY KEY (minute, state));
            -- minute: when a finished job finished (truncated); null for the other states.
            CREATE TABLE jobplatform.job_count_changes (
                queue text NOT NULL,
                state text NOT NULL,
                minute timestamptz,
                n bigint NOT NULL);

            -- Appends the net change one statement made to the jobs per queue, state and (finished ones) minute finished.
            CREATE FUNCTION jobplatform.count_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    INSERT INTO jobplatform.job_count_changes (queue, state, minute, n)
                    SELECT queue, state, date_trunc('minute', finished_at), count(*) FROM added GROUP BY 1, 2, 3;
                ELSIF TG_OP = 'DELETE' THEN
                    INSERT INTO jobplatform.job_count_changes (queue, state, minute, n)
                    SELECT queue, state, date_trunc('minute', finished_at), -count(*) FROM removed GROUP BY 1, 2, 3;
                ELSE
                    INSERT INTO jobplatform.job_count_changes (queue, state, minute, n)
                    SELECT queue, state, minute, sum(n) FROM (
                        SELECT queue, state, date_trunc('minute', finished_at) AS minute, 1 AS n FROM added
                        UNION ALL
                        SELECT queue, state, date_trunc('minute', finished_at), -1 FROM removed) c
                    GROUP BY 1, 2, 3 HAVING sum(n) <> 0;
                END IF;
                RETURN NULL;
            END $$;

            CREATE FUNCTION jobplatform.reset_job_counts() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM jobplatform.job_count_changes;
                DELETE FROM jobplatform.job_counts;
                DELETE FROM jobplatform.finished_minutes;
                RETURN NULL;
            END $$;

            CREATE TRIGGER job_counts_insert AFTER INSERT ON jobplatform.jobs
                REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION jobplatform.count_jobs();
            CREATE TRIGGER job_counts_update AFTER UPDATE ON jobplatform.jobs
                REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION jobplatform.count_jobs();
            CREATE TRIGGER job_counts_delete AFTER DELETE ON jobplatform.jobs
                REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION jobplatform.count_jobs();
            CREATE TRIGGER job_counts_truncate AFTER TRUNCATE ON jobplatform.jobs
                FOR EACH STATEMENT EXECUTE FUNCTION jobplatform.reset_job_counts();

            UPDATE jobplatform.jobs SET state = 'scheduled' WHERE state = 'enqueued' AND run_at > now();
            INSERT INTO jobplatform.job_counts (queue, state, n)
            SELECT queue, state, count(*) FROM jobplatform.jobs GROUP BY queue, state;
            INSERT INTO jobplatform.finished_minutes (minute, state, n)
            SELECT date_trunc('minute', finished_at), state, count(*) FROM jobplatform.jobs
            WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at IS NOT NULL GROUP BY 1, 2;
            -- The UPDATE above went through the trigger, and the counts just taken include it.
            DELETE FROM jobplatform.job_count_changes;
            DROP INDEX jobplatform.ix_jobs_due;
            CREATE INDEX ix_jobs_due ON jobplatform.jobs (queue, type, priority DESC, run_at, id) WHERE state = 'enqueued';
            CREATE INDEX ix_jobs_scheduled ON jobplatform.jobs (queue, run_at) WHERE state = 'scheduled';
            DROP INDEX jobplatform.ix_jobs_finished;
            CREATE INDEX ix_jobs_finished ON jobplatform.jobs (state, finished_at) WHERE state IN ('succeeded','failed','cancelled');
            CREATE INDEX ix_jobs_finished_list ON jobplatform.jobs (state, id) WHERE state IN ('succeeded','failed','cancelled');
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP TRIGGER job_counts_insert ON jobplatform.jobs;
            DROP TRIGGER job_counts_update ON jobplatform.jobs;
            DROP TRIGGER job_counts_delete ON jobplatform.jobs;
            DROP TRIGGER job_counts_truncate ON jobplatform.jobs;
            DROP FUNCTION jobplatform.count_jobs();
            DROP FUNCTION jobplatform.reset_job_counts();
            DROP TABLE jobplatform.job_count_changes;
            DROP TABLE jobplatform.job_counts;
            DROP TABLE jobplatform.finished_minutes;
            DROP INDEX jobplatform.ix_jobs_finished_list;
            DROP INDEX jobplatform.ix_jobs_finished;
            CREATE INDEX ix_jobs_finished ON jobplatform.jobs (finished_at) WHERE state IN ('succeeded','failed','cancelled');
            DROP INDEX jobplatform.ix_jobs_scheduled;
            DROP INDEX jobplatform.ix_jobs_due;
            CREATE INDEX ix_jobs_due ON jobplatform.jobs (queue, priority DESC, run_at, id) WHERE state IN ('enqueued','scheduled');
            """);
    }
}
