using Npgsql;
using NpgsqlTypes;

namespace JobPlatform.Jobs.Storage;

/// <summary>Inserting jobs: one at a time (unique keys, continuations) and in bulk with binary COPY.</summary>
public sealed partial class JobStore
{
    /// <summary>
    /// Inserts a job with its type's defaults. Returns its id and queue; for a unique key that an unfinished
    /// job holds, that job's id with <c>Queue</c> null; null when no worker registered the type.
    /// </summary>
    public async Task<(Guid Id, string? Queue)?> InsertAsync(NewJob job, CancellationToken cancellationToken)
    {
        // A unique key's holder may finish between the insert and the look-up; then the insert is tried again.
        for (var round = 0; round < 3; round++)
        {
            // The NOTIFY rides in the same round trip (see NotifyEnqueuedSql).
            (Guid Id, string Queue)? result = null;
            await using (var insert = await CreateBatchAsync(cancellationToken))
            {
                AddInsert(insert, job, parentLock: InTransaction ? "FOR KEY SHARE" : "FOR SHARE");
                insert.BatchCommands.Add(new NpgsqlBatchCommand(NotifyEnqueuedSql));
                if (InTransaction && job.ParentId is { } parent)
                {
                    // Delivered when the caller commits: the workers then move the continuation on if its parent
                    // ended while the transaction was open (see AddInsert).
                    var notify = new NpgsqlBatchCommand($"SELECT pg_notify('{ContinuationChannel}', @parent::text)");
                    notify.Parameters.Add(new NpgsqlParameter<Guid>("parent", parent));
                    insert.BatchCommands.Add(notify);
                }
                // Prepared once per pooled connection, then only bound and run: planning this statement took
                // more than half of an enqueue (1.2 ms unprepared, 0.56 ms prepared, one thread).
                await insert.PrepareAsync(cancellationToken);
                PostgresException? wakeUpFailed;
                await using (var inserted = await insert.ExecuteReaderAsync(cancellationToken))
                {
                    if (await inserted.ReadAsync(cancellationToken)) result = (inserted.GetGuid(0), inserted.GetString(1));
                    // In a caller's transaction the NOTIFY is part of it, and its failure the transaction's.
                    wakeUpFailed = InTransaction ? null : await ReadPastWakeUpAsync(inserted, cancellationToken);
                }
                if (wakeUpFailed is not null && result is { } written) await ThrowUnlessStoredAsync(wakeUpFailed, [written.Id], cancellationToken);
            }
            if (result is { } stored) return stored;

            await using var lookup = await CreateCommandAsync($"""
                SELECT EXISTS (SELECT 1 FROM jobplatform.job_types WHERE name = @type),
                       (SELECT id FROM jobplatform.jobs WHERE unique_key = @unique_key AND state IN {Unfinished})
                """, cancellationToken);
            lookup.Parameters.Add(new NpgsqlParameter<string>("type", job.Type));
            lookup.Parameters.Add(Nullable("unique_key", NpgsqlDbType.Text, job.UniqueKey));
            await using var reader = await lookup.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (!reader.GetBoolean(0)) return null;
            if (!reader.IsDBNull(1)) return (reader.GetGuid(1), null);
        }
        throw new InvalidOperationException($"Could not enqueue a job with unique key '{job.UniqueKey}': it kept changing hands.");
    }

    /// <summary>
    /// Inserts several independent jobs (no unique key, no parent) with one commit: the statement of
    /// <see cref="InsertAsync"/> once per job, sent in one round trip as one transaction, then the NOTIFY as its own.
    /// One durable commit for many jobs is what lets concurrent single enqueues scale (see <c>EnqueueCoalescer</c>).
    /// </summary>
    /// <returns>Per job, in order: its id and queue, or null when no worker registered its type. All or none are inserted.</returns>
    public async Task<(Guid Id, string Queue)?[]> InsertManyAsync(IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken)
    {
        if (InTransaction) throw new InvalidOperationException("InsertManyAsync commits on its own; use InsertAsync inside a transaction.");
        if (jobs.Any(j => j.UniqueKey is not null || j.ParentId is not null))
            throw new ArgumentException("Jobs with a unique key or a parent are inserted one by one (InsertAsync).", nameof(jobs));

        await using var insert = await CreateBatchAsync(cancellationToken);
        insert.EnableErrorBarriers = false; // one implicit transaction for every insert...
        foreach (var job in jobs) AddInsert(insert, job, parentLock: ""); // no parents here
        insert.BatchCommands[^1].AppendErrorBarrier = true; // ...ended before the NOTIFY, which must not share its commit
        insert.BatchCommands.Add(new NpgsqlBatchCommand(NotifyEnqueuedSql));
        await insert.PrepareAsync(cancellationToken);

        var results = new (Guid Id, string Queue)?[jobs.Count];
        PostgresException? wakeUpFailed;
        await using (var reader = await insert.ExecuteReaderAsync(cancellationToken))
        {
            for (var i = 0; i < jobs.Count; i++)
            {
                if (await reader.ReadAsync(cancellationToken)) results[i] = (reader.GetGuid(0), reader.GetString(1));
                if (i < jobs.Count - 1) await reader.NextResultAsync(cancellationToken);
            }
            wakeUpFailed = await ReadPastWakeUpAsync(reader, cancellationToken);
        }
        // Only when every insert answered is the error surely the NOTIFY's; one that did not may have failed late.
        if (wakeUpFailed is not null && results.Any(r => r is null)) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(wakeUpFailed);
        if (wakeUpFailed is not null) await ThrowUnlessStoredAsync(wakeUpFailed, [.. results.Select(r => r!.Value.Id)], cancellationToken);
        return results;
    }

    /// <summary>
    /// Reads past the commit of the inserts just read and the wake-up NOTIFY after it; returns the server's error,
    /// if one came. A refused NOTIFY (a role without <c>pg_notify</c>, a server shutting down) must not fail an
    /// enqueue whose jobs are stored: reported failed, it would be retried into duplicates, and a missed wake-up
    /// costs the workers one poll. Npgsql does not say which statement an error belongs to here, so the caller
    /// looks (see <see cref="ThrowUnlessStoredAsync"/>).
    /// </summary>
    private static async Task<PostgresException?> ReadPastWakeUpAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        try
        {
            while (await reader.NextResultAsync(cancellationToken)) { }
            return null;
        }
        catch (PostgresException e)
        {
            return e;
        }
    }

    /// <summary>Throws <paramref name="error"/> unless every job of <paramref name="ids"/> is stored (then only the wake-up failed).</summary>
    private async Task ThrowUnlessStoredAsync(PostgresException error, Guid[] ids, CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync(
            "SELECT count(*) = cardinality(@ids) FROM jobplatform.jobs WHERE id = ANY(@ids)", cancellationToken);
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", ids));
        if (await command.ExecuteScalarAsync(cancellationToken) is not true) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
    }

    /// <summary>
    /// Adds the statement that inserts one job with its type's defaults. A continuation looks at its parent's state
    /// under a lock, so that the parent cannot end unseen between that look and the insert's commit: either it has
    /// ended (decide now) or its completion will find this row waiting. Outside a transaction the lock is FOR SHARE,
    /// held for this one statement. In a caller's transaction, which may stay open for as long as the caller likes,
    /// it is FOR KEY SHARE, which conflicts with none of the engine's own updates (lease renewals, the parent's
    /// completion) but lets the parent end unseen; a notification on <see cref="ContinuationChannel"/>, delivered at
    /// the commit, has the workers move such a continuation on then (and the rescuer's sweep does, at the latest).
    /// </summary>
    private static void AddInsert(NpgsqlBatch batch, NewJob job, string parentLock)
    {
        var insert = new NpgsqlBatchCommand($"""
                WITH parent AS (SELECT state FROM jobplatform.jobs WHERE id = @parent_id {parentLock})
                INSERT INTO jobplatform.jobs
                    (id, type, queue, state, priority, payload, attempt, max_attempts, max_rescues, run_at, created_at, finished_at,
                     fencing_token, trace_parent, unique_key, tags, timeout, retry_intervals, parent_id, continue_on, error)
                SELECT @id, t.name, COALESCE(@queue, t.queue), s.state,
                       @priority, @payload::jsonb, 0, COALESCE(@max_attempts, t.max_attempts), COALESCE(@max_rescues, t.max_rescues),
                       d.due, now(), CASE WHEN s.state = 'cancelled' THEN now() END,
                       0, @trace_parent, @unique_key, @tags, @timeout, @retry_intervals, @parent_id, @continue_on,
                       CASE WHEN s.state = 'cancelled' THEN {SkippedReason("@parent_id", "p.state", "@continue_on")} END
                FROM jobplatform.job_types t
                CROSS JOIN LATERAL (SELECT COALESCE(@run_at, statement_timestamp() + COALESCE(@delay, interval '0')) AS due) d
                LEFT JOIN parent p ON true
                CROSS JOIN LATERAL (SELECT CASE
                    WHEN @parent_id IS NULL OR @continue_on = 'always' AND p.state IN {Finished}
                                            OR @continue_on = p.state THEN
                        CASE WHEN d.due <= statement_timestamp() THEN 'enqueued' ELSE 'scheduled' END
                    WHEN p.state IN {Finished} OR p.state IS NULL THEN 'cancelled'
                    ELSE 'awaiting' END AS state) s
                WHERE t.name = @type
                ON CONFLICT (unique_key) WHERE {JobsDbContext.ActiveUniqueKeyFilter} DO NOTHING
                RETURNING id, queue
                """);
        var p = insert.Parameters;
        p.Add(new NpgsqlParameter<Guid>("id", job.Id));
        p.Add(new NpgsqlParameter<string>("type", job.Type));
        p.Add(Nullable("queue", NpgsqlDbType.Text, job.Queue));
        p.Add(new NpgsqlParameter<int>("priority", job.Priority));
        p.Add(new NpgsqlParameter<string>("payload", job.PayloadJson));
        p.Add(Nullable("max_attempts", NpgsqlDbType.Integer, job.MaxAttempts));
        p.Add(Nullable("max_rescues", NpgsqlDbType.Integer, job.MaxRescues));
        p.Add(Nullable("run_at", NpgsqlDbType.TimestampTz, job.RunAt?.UtcDateTime));
        p.Add(Nullable("delay", NpgsqlDbType.Interval, job.Delay));
        p.Add(Nullable("trace_parent", NpgsqlDbType.Text, job.TraceParent));
        p.Add(Nullable("unique_key", NpgsqlDbType.Text, job.UniqueKey));
        p.Add(new NpgsqlParameter<string[]>("tags", job.Tags));
        p.Add(Nullable("timeout", NpgsqlDbType.Interval, job.Timeout));
        p.Add(Nullable("retry_intervals", NpgsqlDbType.Array | NpgsqlDbType.Interval, job.RetryIntervals));
        p.Add(Nullable("parent_id", NpgsqlDbType.Uuid, job.ParentId));
        p.Add(Nullable("continue_on", NpgsqlDbType.Text, job.ContinueOn));
        batch.BatchCommands.Add(insert);
    }

    /// <summary>
    /// Inserts many jobs of one type with binary COPY: one round trip for the lot. <paramref name="template"/> gives the shared options (its Id and payload are
    /// ignored; unique keys do not apply to bulk inserts). Returns the number inserted and their queue, or
    /// null when no worker registered the type.
    /// </summary>
    public Task<(long Count, string Queue)?> CopyAsync(NewJob template, IEnumerable<(Guid Id, string Payload)> jobs, CancellationToken cancellationToken) =>
        CopyAsync(template, jobs.ToAsyncEnumerable(), cancellationToken);

    /// <summary>As above, reading the jobs as they arrive (a request body, say): nothing is held in memory, and an
    /// exception from <paramref name="jobs"/> aborts the COPY, so none of them is inserted.</summary>
    public async Task<(long Count, string Queue)?> CopyAsync(NewJob template, IAsyncEnumerable<(Guid Id, string Payload)> jobs, CancellationToken cancellationToken)
    {
        string queue;
        int maxAttempts, maxRescues;
        DateTime now;
        await using (var lookup = await CreateCommandAsync(
            "SELECT queue, max_attempts, max_rescues, statement_timestamp() FROM jobplatform.job_types WHERE name = @type", cancellationToken))
        {
            lookup.Parameters.Add(new NpgsqlParameter<string>("type", template.Type));
            await using var reader = await lookup.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken)) return null;
            queue = template.Queue ?? reader.GetString(0);
            maxAttempts = template.MaxAttempts ?? reader.GetInt32(1);
            maxRescues = template.MaxRescues ?? reader.GetInt32(2);
            now = reader.GetDateTime(3);
        }

        var due = template.RunAt?.UtcDateTime ?? now + (template.Delay ?? TimeSpan.Zero);
        var state = due <= now ? JobStateNames.Enqueued : JobStateNames.Scheduled;
        var connection = await OpenConnectionAsync(cancellationToken);
        await using var importer = await connection.BeginBinaryImportAsync("""
            COPY jobplatform.jobs (id, type, queue, state, priority, payload, attempt, max_attempts, max_rescues, run_at, created_at,
                                   fencing_token, trace_parent, tags, timeout, retry_intervals, batch_id)
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken);
        await foreach (var (id, payload) in jobs.WithCancellation(cancellationToken))
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(id, NpgsqlDbType.Uuid, cancellationToken);
            await importer.WriteAsync(template.Type, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(queue, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(state, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(template.Priority, NpgsqlDbType.Integer, cancellationToken);
            await importer.WriteAsync(payload, NpgsqlDbType.Jsonb, cancellationToken);
            await importer.WriteAsync(0, NpgsqlDbType.Integer, cancellationToken);
            await importer.WriteAsync(maxAttempts, NpgsqlDbType.Integer, cancellationToken);
            await importer.WriteAsync(maxRescues, NpgsqlDbType.Integer, cancellationToken);
            await importer.WriteAsync(due, NpgsqlDbType.TimestampTz, cancellationToken);
            await importer.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
            await importer.WriteAsync(0L, NpgsqlDbType.Bigint, cancellationToken);
            await WriteNullableAsync(importer, template.TraceParent, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(template.Tags, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(importer, template.Timeout, NpgsqlDbType.Interval, cancellationToken);
            await WriteNullableAsync(importer, template.RetryIntervals, NpgsqlDbType.Array | NpgsqlDbType.Interval, cancellationToken);
            await WriteNullableAsync(importer, template.BatchId, NpgsqlDbType.Uuid, cancellationToken);
        }
        var count = (long)await importer.CompleteAsync(cancellationToken);
        await importer.DisposeAsync(); // ends the COPY, so that the connection takes the NOTIFY
        try
        {
            await NotifyEnqueuedAsync(cancellationToken);
        }
        catch (PostgresException) when (!InTransaction)
        {
            // The COPY has committed: a missed wake-up costs one poll (see ReadPastWakeUpAsync).
        }
        return (count, queue);
    }

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, type, cancellationToken);

    /// <summary>The names of the registered job types, for an unknown-type error.</summary>
    public async Task<IReadOnlyList<string>> GetJobTypeNamesAsync(CancellationToken cancellationToken)
    {
        await using var command = await CreateCommandAsync("SELECT name FROM jobplatform.job_types ORDER BY name", cancellationToken);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) names.Add(reader.GetString(0));
        return names;
    }
}
