namespace JobPlatform.Benchmarks.Chaos;

/// <summary>What a chaos run did and found; <see cref="Failures"/> is empty when nothing was lost or doubled.</summary>
public sealed record ChaosReport
{
    public required int JobsAccepted { get; init; }
    public required long JobsStored { get; init; }
    public required IReadOnlyDictionary<string, long> FinalStates { get; init; }
    public required IReadOnlyDictionary<string, long> AttemptOutcomes { get; init; }
    public required int Kills { get; init; }
    public required int WorkersStarted { get; init; }
    public required int Pauses { get; init; }
    public required long JobsHeldByPausedWorker { get; init; }
    public required int DatabaseRestarts { get; init; }
    public required TimeSpan DatabaseDown { get; init; }
    public required TimeSpan? ResumedAfterRestart { get; init; }
    public required long LogLinesDuringOutage { get; init; }
    public required long LogLines { get; init; }
    public required int FailedEnqueueCalls { get; init; }
    public required int SplitUniquePairs { get; init; }
    public required long FencedWritesRefused { get; init; }
    public required long EffectsOfUnfinishedAttempts { get; init; }
    public required TimeSpan Duration { get; init; }
    public required int DeadlocksLogged { get; init; }
    public required IReadOnlyList<string> Failures { get; init; }

    public long Rescues => AttemptOutcomes.GetValueOrDefault("rescued");

    public void Print(TextWriter output)
    {
        output.WriteLine($"jobs accepted by the client     {JobsAccepted:N0} (stored: {JobsStored:N0}; extra copies from retried calls whose first try had committed: {JobsStored - JobsAccepted:N0})");
        output.WriteLine($"final states                    {string.Join(", ", FinalStates.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value:N0}"))}");
        output.WriteLine($"attempt outcomes (history)      {string.Join(", ", AttemptOutcomes.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value:N0}"))}");
        output.WriteLine($"workers killed (SIGKILL)        {Kills} (worker processes started in all: {WorkersStarted})");
        output.WriteLine($"workers paused past the lease   {Pauses} (holding {JobsHeldByPausedWorker} claimed jobs when stopped)");
        output.WriteLine($"PostgreSQL restarts             {DatabaseRestarts} (immediate shutdown, down {DatabaseDown.TotalSeconds:N1} s; jobs finishing again {(ResumedAfterRestart is { } r ? $"{r.TotalSeconds:N1} s after it was back" : "never")})");
        output.WriteLine($"rescued attempts (lease expired) {Rescues:N0}");
        output.WriteLine($"fenced writes refused           {FencedWritesRefused:N0}; effects of attempts that did not finish (ran again elsewhere): {EffectsOfUnfinishedAttempts:N0}");
        output.WriteLine($"enqueue calls failed and retried {FailedEnqueueCalls:N0}; unique-key pairs split: {SplitUniquePairs}");
        output.WriteLine($"worker log lines (warnings+)    {LogLines:N0}, of which during the outage: {LogLinesDuringOutage:N0}");
        output.WriteLine($"deadlocks in PostgreSQL's log   {DeadlocksLogged}");
        output.WriteLine($"duration                        {Duration.TotalSeconds:N1} s ({JobsStored / Duration.TotalSeconds:N0} jobs/s)");
        output.WriteLine(Failures.Count == 0 ? "result                          PASS: nothing lost, nothing claimed, every successful attempt applied its effect once"
            : $"result                          FAIL:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", Failures)}");
    }
}
