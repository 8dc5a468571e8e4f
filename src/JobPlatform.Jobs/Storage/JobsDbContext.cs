using Microsoft.EntityFrameworkCore;

namespace JobPlatform.Jobs.Storage;

/// <summary>
/// The engine's schema. EF Core owns the model and its migrations; the hot paths
/// (claim, complete, fail) run as hand-written SQL in <see cref="JobStore"/>.
/// </summary>
public sealed class JobsDbContext(DbContextOptions<JobsDbContext> options) : DbContext(options)
{
    public const string Schema = "jobplatform";

    /// <summary>The predicate of the unique-key index; ON CONFLICT must repeat it to use the index.</summary>
    public const string ActiveUniqueKeyFilter = "unique_key IS NOT NULL AND state IN ('scheduled','enqueued','processing','awaiting')";

    public DbSet<JobRecord> Jobs => Set<JobRecord>();
    public DbSet<JobTypeRecord> JobTypes => Set<JobTypeRecord>();
    public DbSet<ServerRecord> Servers => Set<ServerRecord>();
    public DbSet<JobAttemptRecord> Attempts => Set<JobAttemptRecord>();
    public DbSet<ScheduleRecord> Schedules => Set<ScheduleRecord>();
    public DbSet<LeaseRecord> Leases => Set<LeaseRecord>();
    public DbSet<BatchRecord> Batches => Set<BatchRecord>();
    public DbSet<TypeStartRecord> TypeStarts => Set<TypeStartRecord>();
    public DbSet<PausedQueueRecord> PausedQueues => Set<PausedQueueRecord>();
    public DbSet<TokenGuardRecord> TokenGuard => Set<TokenGuardRecord>();
    public DbSet<JobTypeDeclarationRecord> JobTypeDeclarations => Set<JobTypeDeclarationRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.HasSequence<long>("fencing_tokens");

        modelBuilder.Entity<JobRecord>(job =>
        {
            job.ToTable("jobs", t => t.HasCheckConstraint(
                "ck_jobs_state",
                "state IN ('scheduled','enqueued','processing','succeeded','failed','cancelled','awaiting')"));
            job.HasKey(j => j.Id).HasName("pk_jobs");
            job.Property(j => j.Type).IsRequired();
            job.Property(j => j.Queue).IsRequired();
            job.Property(j => j.State).IsRequired();
            job.Property(j => j.Payload).HasColumnType("jsonb").IsRequired();
            job.Property(j => j.MaxAttempts).HasDefaultValue(1);
            job.Property(j => j.MaxRescues).HasDefaultValue(3);

            // The hot set: only enqueued jobs (all of them due) are indexed, so history and jobs due later cost a
            // claim nothing. One range per queue and type in the claim's order, so a claim reads only the rows it
            // takes, whatever the backlog of a held-back limited type or of a type this server does not offer.
            job.HasIndex(j => new { j.Queue, j.Type, j.Priority, j.RunAt, j.Id })
                .HasDatabaseName("ix_jobs_due")
                .IsDescending(false, false, true, false, false)
                .HasFilter("state = 'enqueued'");
            // Jobs due later, by queue and due time: each claim moves its queue's jobs that came due to enqueued.
            job.HasIndex(j => new { j.Queue, j.RunAt })
                .HasDatabaseName("ix_jobs_scheduled")
                .HasFilter("state = 'scheduled'");
            job.HasIndex(j => j.LeaseExpiresAt)
                .HasDatabaseName("ix_jobs_leases")
                .HasFilter("state = 'processing'");
            // Unique only among unfinished jobs: once a job ends, its key may be used again.
            job.HasIndex(j => j.UniqueKey)
                .HasDatabaseName("ux_jobs_unique_key")
                .IsUnique()
                .HasFilter(ActiveUniqueKeyFilter);
            // Retention deletes the oldest finished jobs of one state first: one range per state, so deleting
            // succeeded jobs never walks failed and cancelled history kept for longer.
            job.HasIndex(j => new { j.State, j.FinishedAt })
                .HasDatabaseName("ix_jobs_finished")
                .HasFilter("state IN ('succeeded','failed','cancelled')");
            // The job list filtered by a finished state, newest first: without it, listing failed jobs walked every
            // newer succeeded one (10.7 s at 10M rows). One entry per job, written when it finishes.
            job.HasIndex(j => new { j.State, j.Id })
                .HasDatabaseName("ix_jobs_finished_list")
                .HasFilter("state IN ('succeeded','failed','cancelled')");
            // The job list filtered by type, newest first (a rare type was otherwise a read of the whole table).
            job.HasIndex(j => new { j.Type, j.Id }).HasDatabaseName("ix_jobs_type_list");
            job.Property(j => j.Tags).HasDefaultValueSql("'{}'");
            // Continuations waiting for a parent are found by it when the parent ends.
            job.HasIndex(j => j.ParentId)
                .HasDatabaseName("ix_jobs_awaiting_parent")
                .HasFilter("state = 'awaiting'");
            // A batch's progress counts its jobs; whether it is done asks for one unfinished job.
            // A cluster-wide concurrency limit counts the running jobs of one type.
            job.HasIndex(j => j.Type, "ix_jobs_running_type").HasFilter("state = 'processing'");
            job.HasIndex(j => j.BatchId, "ix_jobs_batch").HasFilter("batch_id IS NOT NULL");
            job.HasIndex(j => j.BatchId, "ix_jobs_batch_unfinished")
                .HasFilter("batch_id IS NOT NULL AND state IN ('scheduled','enqueued','processing','awaiting')");
        });

        modelBuilder.Entity<JobAttemptRecord>(attempt =>
        {
            attempt.ToTable("job_attempts");
            attempt.HasKey(a => new { a.JobId, a.FencingToken }).HasName("pk_job_attempts");
            attempt.HasOne<JobRecord>().WithMany().HasForeignKey(a => a.JobId)
                .HasConstraintName("fk_job_attempts_jobs").OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<JobTypeRecord>(type =>
        {
            type.ToTable("job_types");
            type.HasKey(t => t.Name).HasName("pk_job_types");
            type.Property(t => t.PayloadSchema).HasColumnType("jsonb").IsRequired();
            type.Property(t => t.MaxRescues).HasDefaultValue(3);
        });

        modelBuilder.Entity<ServerRecord>(server =>
        {
            server.ToTable("servers");
            server.HasKey(s => s.Id).HasName("pk_servers");
        });

        modelBuilder.Entity<ScheduleRecord>(schedule =>
        {
            schedule.ToTable("schedules", t =>
            {
                t.HasCheckConstraint("ck_schedules_misfire", "misfire IN ('run-once','skip')");
                t.HasCheckConstraint("ck_schedules_overlap", "overlap IN ('allow','skip')");
            });
            schedule.HasKey(s => s.Name).HasName("pk_schedules");
            schedule.Property(s => s.Payload).HasColumnType("jsonb").IsRequired();
            // The leader's question every tick: which active schedules are due.
            schedule.HasIndex(s => s.NextRunAt).HasDatabaseName("ix_schedules_due").HasFilter("NOT paused");
        });

        modelBuilder.Entity<BatchRecord>(batch =>
        {
            batch.ToTable("batches");
            batch.HasKey(b => b.Id).HasName("pk_batches");
            batch.Property(b => b.CallbackPayload).HasColumnType("jsonb");
            // The sweep looks only at batches still open.
            batch.HasIndex(b => b.CreatedAt).HasDatabaseName("ix_batches_open").HasFilter("finished_at IS NULL");
        });

        modelBuilder.Entity<TypeStartRecord>(start =>
        {
            start.ToTable("type_starts");
            start.HasKey(s => s.Id).HasName("pk_type_starts");
            start.Property(s => s.Id).UseIdentityAlwaysColumn();
            start.HasIndex(s => new { s.Type, s.StartedAt }).HasDatabaseName("ix_type_starts");
        });

        modelBuilder.Entity<PausedQueueRecord>(paused =>
        {
            paused.ToTable("paused_queues");
            paused.HasKey(p => p.Queue).HasName("pk_paused_queues");
        });

        modelBuilder.Entity<TokenGuardRecord>(guard =>
        {
            // Unlogged: emptied by crash recovery, which is the point (see TokenGuardRecord).
            guard.ToTable("token_guard").IsUnlogged();
            guard.HasKey(g => g.Id).HasName("pk_token_guard");
            guard.Property(g => g.Id).ValueGeneratedNever();
        });

        modelBuilder.Entity<JobTypeDeclarationRecord>(declaration =>
        {
            declaration.ToTable("job_type_declarations");
            declaration.HasKey(d => new { d.Type, d.Server }).HasName("pk_job_type_declarations");
            // The heartbeat refreshes one server's rows; pruning looks for the stale ones.
            declaration.HasIndex(d => d.Server).HasDatabaseName("ix_job_type_declarations_server");
        });

        modelBuilder.Entity<LeaseRecord>(lease =>
        {
            lease.ToTable("leases");
            lease.HasKey(l => l.Name).HasName("pk_leases");
        });

        SnakeCaseColumns.Apply(modelBuilder);
    }
}
